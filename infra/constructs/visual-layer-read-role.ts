import { Aws, Stack, Validations } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { VISUAL_LAYER_ACCOUNT } from '../visual-layer-account';

export { VISUAL_LAYER_ACCOUNT } from '../visual-layer-account';

/** Objects Visual Layer may read: a bucket, and a key prefix in it. */
export interface ReadLocation {
  readonly bucket: IBucket;
  /** Only objects under this prefix: `""` for the whole bucket, otherwise ending in `/`. */
  readonly prefix: string;
}

/** Props of {@link VisualLayerReadRole}. */
export interface VisualLayerReadRoleProps {
  /** Where Visual Layer reads: the watched prefix first, then any other location datasets are made from. */
  readonly locations: readonly ReadLocation[];
  /**
   * ARN of the customer managed KMS key that encrypts a bucket's objects: the role may decrypt with it,
   * through S3 only. @default no KMS permission (SSE-S3 needs none)
   */
  readonly bucketKmsKeyArn?: string;
  /** Require this `sts:ExternalId` when Visual Layer assumes the role. @default no condition */
  readonly externalId?: string;
}

/**
 * The read-only role Visual Layer's account assumes to read the media of a dataset: `s3:GetObject` and
 * `s3:GetObjectVersion` on the objects under each location's prefix, `s3:ListBucket` and
 * `s3:GetBucketLocation` on each bucket, and `kms:Decrypt` on a customer key when one is given. Nothing
 * else: it cannot write, delete or read outside its locations. Its ARN is registered with Visual Layer
 * support once (README, "Let Visual Layer read the bucket").
 */
export class VisualLayerReadRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: VisualLayerReadRoleProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new AccountPrincipal(VISUAL_LAYER_ACCOUNT),
      externalIds: props.externalId ? [props.externalId] : undefined,
      description: 'vl-ingest: Visual Layer reads the media of the watched prefix (read-only)',
    });
    for (const location of props.locations) this.addLocation(location);
    if (props.bucketKmsKeyArn) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [props.bucketKmsKeyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      );
    }
  }

  /** Lets Visual Layer read the objects of one more location (a manifests bucket, say). */
  addLocation(location: ReadLocation): void {
    const objects = location.bucket.arnForObjects(`${location.prefix}*`);
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [objects] }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [location.bucket.bucketArn],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(Stack.of(this).resolve(objects))}]`,
      reason:
        'Visual Layer reads the objects dropped under this prefix; their keys are chosen by the uploaders, at upload time.',
    });
  }
}

/** A resolved ARN written the way cdk-nag names it in a finding: `<Logical.Attr>`, `<AWS::Partition>`. */
function nagResource(resolved: unknown): string {
  const part = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return `<${ref}>`;
    const att = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    return att ? `<${att[0]}.${att[1]}>` : JSON.stringify(value);
  };
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  return join ? join[1].map(part).join(join[0]) : part(resolved);
}
