import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * The customer managed key that encrypts the pipeline's log groups and its alarm topic (neither
 * accepts an AWS managed key for these uses). Rotated yearly; only CloudWatch Logs and CloudWatch
 * alarms of this account and region may use it besides the account's administrators.
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
    const logs = new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`);
    this.key.grantEncryptDecrypt(logs);
    this.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
  }
}
