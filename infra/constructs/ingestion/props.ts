import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { CONFIG_KEYS, LateObjects, Reindex, Trigger, VisualLayerAccess } from '../../config';

/**
 * Props of `VisualLayerIngestion`: one prop per setting of the app's configuration (README,
 * "Configuration"; same names, same rules, same defaults) but `stackName` (the stack is yours), and
 * resources you already have, passed as objects. Each resource is either yours or a new one: give an
 * existing one, or leave it out and the construct makes it. Conflicting props are rejected at once,
 * all of them in one error that names them.
 */
export interface VisualLayerIngestionProps {
  /**
   * The bucket to watch (created in your app, or imported). Turn its EventBridge notifications on
   * (`eventBridgeEnabled: true` on a `Bucket`; README, "Using an existing bucket" for one deployed
   * elsewhere): the construct does not change it. Not with `bucketName`.
   * @default a new bucket (private, encrypted, TLS only, access-logged, retained), unless `bucketName`
   */
  readonly bucket?: IBucket;
  /** Watch this existing bucket, by name. Not with `bucket`. @default a new bucket, unless `bucket` */
  readonly bucketName?: string;
  /** Only keys under this prefix; `incoming` and `incoming/` are the same folder. @default "" (the whole bucket) */
  readonly prefix?: string;
  /** Path segments after `prefix` that name a dataset folder (1-10). @default 1 */
  readonly folderDepth?: number;
  /** `quiet`: create once a folder had no new object for `quietSeconds`; `marker`: when `markerName` lands. @default "quiet" */
  readonly trigger?: Trigger;
  /** Quiet period before creating, in seconds (quiet trigger; 1-86400). @default 60 */
  readonly quietSeconds?: number;
  /** The marker object's name (marker trigger). @default "_READY" */
  readonly markerName?: string;
  /** First and shortest poll interval, in seconds (1-3600). @default 30 */
  readonly pollIntervalSeconds?: number;
  /** Longest poll interval, in seconds (at least `pollIntervalSeconds`). @default 300 */
  readonly maxPollIntervalSeconds?: number;
  /** Give up (TIMED_OUT) this many minutes after the create; fractions allowed. @default 1440 */
  readonly maxWaitMinutes?: number;
  /** Visual Layer cloud or a self-hosted install (`http://host:2080`), without `/api/v1`. @default "https://app.visual-layer.com" */
  readonly visualLayerBaseUrl?: string;
  /**
   * The secret holding `{"apiKey","apiSecret"}` (or a JWT), from your app or imported; the functions
   * that call Visual Layer may read it (and decrypt with its key, when CDK knows it). Not with
   * `secretName`.
   * @default a new secret holding a placeholder to replace after deploy, unless `secretName`
   */
  readonly credentials?: ISecret;
  /** An existing secret by name or full ARN. Not with `credentials`. @default a new secret, unless `credentials` */
  readonly secretName?: string;
  /** Prepended to every dataset name (at most 50 characters). @default "" */
  readonly datasetNamePrefix?: string;
  /**
   * The SNS topic every alarm notifies. CloudWatch must be allowed to publish to it (and to use its
   * KMS key, if it has one). Not with `alarmEmail`.
   * @default a new topic, encrypted with the pipeline's key
   */
  readonly alarmTopic?: ITopic;
  /** Subscribe this address to the new alarm topic. Not with `alarmTopic`. @default no subscription */
  readonly alarmEmail?: string;
  /** `role`: create the read-only role Visual Layer assumes to read the bucket; `none`: no role. @default "role" */
  readonly visualLayerAccess?: VisualLayerAccess;
  /** Require this external id in the read role's trust policy. @default no condition */
  readonly visualLayerExternalId?: string;
  /**
   * The customer KMS key of an existing bucket, for the read role's `kms:Decrypt`.
   * @default the key of `bucket` when CDK knows it (`bucket.encryptionKey`), else none
   */
  readonly bucketKmsKeyArn?: string;
  /** Folders between "create sent" and their end at once (0-1000; 0 = no bound). @default 10 */
  readonly maxConcurrentDatasets?: number;
  /** Objects that reach a READY folder: `append` them to its dataset, or `ignore` them (recorded only). @default "append" */
  readonly lateObjects?: LateObjects;
  /** After an append: `auto` re-indexes, `manual` leaves the dataset at PARTIAL INDEX. @default "auto" */
  readonly reindex?: Reindex;
  /**
   * A self-hosted Visual Layer inside a VPC: the functions that call it (create, status, append) run in
   * `vpcSubnets` of this VPC. Those subnets need a route to Visual Layer and to the AWS APIs the
   * functions call (Secrets Manager, DynamoDB, S3, Step Functions, X-Ray): a NAT gateway or VPC endpoints.
   * @default the functions run outside any VPC
   */
  readonly vpc?: IVpc;
  /** Subnets of `vpc` for those functions. Only with `vpc`. @default the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** Security groups of those functions. Only with `vpc`. @default one new group that allows all outbound traffic */
  readonly securityGroups?: ISecurityGroup[];
  /**
   * Names the dashboard, the alarms (`<name>-ExecutionsFailed`), the alarm topic and the `service`
   * dimension of the functions' metrics; what `stackName` names in the app. Give each
   * `VisualLayerIngestion` in one stack its own (a letter, then letters, digits and "-").
   * @default the stack's name
   */
  readonly name?: string;
}

/** Every prop of {@link VisualLayerIngestionProps}, for checks at run time (JavaScript callers). */
export const INGESTION_PROPS = [
  'bucket',
  'bucketName',
  'prefix',
  'folderDepth',
  'trigger',
  'quietSeconds',
  'markerName',
  'pollIntervalSeconds',
  'maxPollIntervalSeconds',
  'maxWaitMinutes',
  'visualLayerBaseUrl',
  'credentials',
  'secretName',
  'datasetNamePrefix',
  'alarmTopic',
  'alarmEmail',
  'visualLayerAccess',
  'visualLayerExternalId',
  'bucketKmsKeyArn',
  'maxConcurrentDatasets',
  'lateObjects',
  'reindex',
  'vpc',
  'vpcSubnets',
  'securityGroups',
  'name',
] as const satisfies readonly (keyof VisualLayerIngestionProps)[];

/** Fails to compile when a prop is missing from {@link INGESTION_PROPS}, or a setting has no prop. */
export type PropsListed = [
  Exclude<keyof VisualLayerIngestionProps, (typeof INGESTION_PROPS)[number]>,
  Exclude<(typeof CONFIG_KEYS)[number], keyof VisualLayerIngestionProps | 'stackName'>,
] extends [never, never]
  ? true
  : never;
export const PROPS_LISTED: PropsListed = true;
