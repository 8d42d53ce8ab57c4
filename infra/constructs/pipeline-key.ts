import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** An ARN of this stack's partition, region and account. */
const here = (service: string, resource: string) =>
  `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;

/**
 * The customer managed key that encrypts the pipeline's log groups and its alarm topic (neither
 * accepts an AWS managed key for these uses). Rotated yearly; besides the account's administrators,
 * only CloudWatch Logs for log groups of this account and region, and CloudWatch for alarms of this
 * account and region, may use it.
 */
export class PipelineKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'vl-ingest: encrypts log groups and the alarm topic',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
        resources: ['*'],
        // CloudWatch Logs names the log group in the encryption context of every request.
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': here('logs', 'log-group:*') } },
      }),
    );
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': here('cloudwatch', 'alarm:*') },
        },
      }),
    );
  }
}
