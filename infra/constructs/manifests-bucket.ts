import { Validations } from 'aws-cdk-lib';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { expiringBucketProps } from './ingest-bucket';

/** Days a manifest is kept: long after its batch has ended, short enough to keep nothing for good. */
export const MANIFEST_RETENTION_DAYS = 30;

/** Props of {@link ManifestsBucket}. */
export interface ManifestsBucketProps {
  /**
   * Where its server access logs go (prefix `manifests/`). @default none: an existing drop bucket
   * has no log bucket of the stack's, and the manifests bucket's access is then acknowledged
   */
  readonly accessLogs?: IBucket;
}

/**
 * The stack's manifests bucket: each append batch writes a `.txt` manifest here that lists the objects
 * it sends, and Visual Layer reads it (its read role must cover this bucket as well as the drop
 * bucket). Private, SSE-S3 (Visual Layer reads it with the same role as the drops), TLS only,
 * owner-enforced, every object expired after {@link MANIFEST_RETENTION_DAYS} days; retained when the
 * stack is deleted, as a bucket that still holds objects cannot be deleted.
 */
export class ManifestsBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ManifestsBucketProps = {}) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      ...expiringBucketProps(MANIFEST_RETENTION_DAYS),
      ...(props.accessLogs
        ? { serverAccessLogsBucket: props.accessLogs, serverAccessLogsPrefix: 'manifests/' }
        : {}),
    });
    if (!props.accessLogs) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions::AwsSolutions-S1',
        reason:
          'Only the append function writes this bucket and only Visual Layer reads it; with an existing drop bucket the stack ' +
          'owns no log bucket to send its access logs to (CloudTrail S3 data events can record it).',
      });
    }
  }
}
