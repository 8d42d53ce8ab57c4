import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type CfnBucket,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Props of {@link IngestBucket}. */
export interface IngestBucketProps {
  /**
   * Watch this existing bucket instead of creating one. Its EventBridge notifications must be turned
   * on by its owner (README, "Using an existing bucket"): the stack does not touch its settings.
   * @default a new bucket
   */
  readonly existingBucketName?: string;
  /** Watch this bucket (of the app, or imported) instead; its owner's, as above. @default a new bucket */
  readonly existingBucket?: IBucket;
}

/** Days the server access logs of a new drop bucket are kept. */
export const ACCESS_LOG_RETENTION_DAYS = 365;

/**
 * A bucket of the stack's own records (access logs, manifests): private, SSE-S3 (the only encryption
 * S3 server access logging writes, and what Visual Layer reads with the drops' role), TLS only,
 * owner-enforced, retained when the stack is deleted, each object expired after `days`.
 */
export function expiringBucketProps(days: number): BucketProps {
  return {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      { expiration: Duration.days(days), abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ],
  };
}

/**
 * The bucket users drop folders into. A new bucket is private, encrypted, TLS-only and retained when
 * the stack is deleted; it sends its events to EventBridge through the bucket's own
 * notification configuration (no custom resource), and its server access logs to a log bucket of
 * the same kind that expires them after {@link ACCESS_LOG_RETENTION_DAYS} days. An existing bucket is
 * left as it is: its logging is its owner's (docs/operations.md, "Security").
 */
export class IngestBucket extends Construct {
  /** The watched bucket. */
  readonly bucket: IBucket;
  /** True when this stack created the bucket. */
  readonly created: boolean;
  /** The bucket the drop bucket's access logs go to, when the stack created both. */
  readonly accessLogs?: IBucket;

  constructor(scope: Construct, id: string, props: IngestBucketProps = {}) {
    super(scope, id);
    const existing =
      props.existingBucket ??
      (props.existingBucketName
        ? Bucket.fromBucketName(this, 'Existing', props.existingBucketName)
        : undefined);
    if (existing) {
      this.bucket = existing;
      this.created = false;
      return;
    }
    const accessLogs = new Bucket(this, 'AccessLogs', expiringBucketProps(ACCESS_LOG_RETENTION_DAYS));
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'This bucket receives the server access logs of the drop bucket; logging its own access would need yet another bucket, and so on.',
    });
    const bucket = new Bucket(this, 'Drops', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'drops/',
    });
    const cfn = bucket.node.defaultChild as CfnBucket;
    cfn.addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
    this.bucket = bucket;
    this.created = true;
    this.accessLogs = accessLogs;
  }
}
