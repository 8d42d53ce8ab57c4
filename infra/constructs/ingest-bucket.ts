import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  type IBucket,
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
}

/**
 * The bucket users drop folders into. A new bucket is private, encrypted, TLS-only and retained when
 * the stack is deleted; it sends its events to EventBridge through the bucket's own
 * notification configuration (no custom resource).
 */
export class IngestBucket extends Construct {
  /** The watched bucket. */
  readonly bucket: IBucket;
  /** True when this stack created the bucket. */
  readonly created: boolean;

  constructor(scope: Construct, id: string, props: IngestBucketProps = {}) {
    super(scope, id);
    if (props.existingBucketName) {
      this.bucket = Bucket.fromBucketName(this, 'Existing', props.existingBucketName);
      this.created = false;
      return;
    }
    const bucket = new Bucket(this, 'Drops', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cfn = bucket.node.defaultChild as CfnBucket;
    cfn.addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        "The drop bucket holds the users' media; who reads it is Visual Layer through its registered role. " +
        'Access logging needs a second bucket the owner must manage and pay for, so it is left to the owner ' +
        '(CloudTrail S3 data events cover it account-wide).',
    });
    this.bucket = bucket;
    this.created = true;
  }
}
