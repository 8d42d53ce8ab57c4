import { MAX_POLLS, pollsToDeadline } from '../lambdas/shared/polling/limits';
import { lookAlikeKeyProblems } from './context-keys';
import {
  BUCKET_NAME,
  ContextParser,
  EMAIL,
  EXTERNAL_ID,
  KMS_KEY_ARN,
  MARKER_NAME,
  STACK_NAME,
} from './context-parser';

/** How the dataset creation is triggered; see docs/how-it-works.md, "Triggers". */
export type Trigger = 'quiet' | 'marker';

/** Whether the stack creates the read-only role Visual Layer assumes to read the bucket. */
export type VisualLayerAccess = 'role' | 'none';

/** The validated configuration of one deployment. Keys and defaults match the README's table. */
export interface IngestConfig {
  /** Watch this existing bucket instead of creating one. */
  bucketName?: string;
  /** Only keys under this prefix; empty or ending in `/`. */
  prefix: string;
  /** Path segments after `prefix` that name a dataset folder. */
  folderDepth: number;
  trigger: Trigger;
  /** Quiet period before creating (quiet trigger). */
  quietSeconds: number;
  /** Marker object name (marker trigger). */
  markerName: string;
  /** First and shortest poll interval. */
  pollIntervalSeconds: number;
  /** Longest poll interval. */
  maxPollIntervalSeconds: number;
  /** Give up (TIMED_OUT) after this long. */
  maxWaitMinutes: number;
  /** Visual Layer cloud or a self-hosted install, without a trailing slash. */
  visualLayerBaseUrl: string;
  /** An existing secret holding the credentials. */
  secretName?: string;
  /** Prepended to every generated dataset name. */
  datasetNamePrefix: string;
  /** Address subscribed to failure alarms. */
  alarmEmail?: string;
  /** Create the read-only role Visual Layer assumes (`role`), or leave bucket access to the owner (`none`). */
  visualLayerAccess: VisualLayerAccess;
  /** Require this external id in that role's trust policy. */
  visualLayerExternalId?: string;
  /** The customer KMS key of an existing bucket, for that role's `kms:Decrypt`. */
  bucketKmsKeyArn?: string;
  /** The CloudFormation stack: one per bucket/prefix in the same account and region. */
  stackName: string;
  /** Folders between "create sent" and their end at once; 0 = no bound. */
  maxConcurrentDatasets: number;
  /** Objects that reach a READY folder: `append` them to its dataset, or `ignore` them. */
  lateObjects: LateObjects;
  /** After an append: `auto` re-indexes (`auto_reindex=true`), `manual` leaves the dataset at PARTIAL INDEX. */
  reindex: Reindex;
}

/** What happens to objects that reach a READY folder; see docs/how-it-works.md, "Late objects". */
export type LateObjects = 'append' | 'ignore';
/** How an append batch ends: the dataset READY again (`auto`), or at PARTIAL INDEX (`manual`). */
export type Reindex = 'auto' | 'manual';

/** Every configuration key, in README order. */
export const CONFIG_KEYS = [
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
  'secretName',
  'datasetNamePrefix',
  'alarmEmail',
  'visualLayerAccess',
  'visualLayerExternalId',
  'bucketKmsKeyArn',
  'stackName',
  'maxConcurrentDatasets',
  'lateObjects',
  'reindex',
] as const satisfies readonly (keyof IngestConfig)[];

/** The defaults of the README's configuration table. */
export const DEFAULT_CONFIG: IngestConfig = {
  prefix: '',
  folderDepth: 1,
  trigger: 'quiet',
  quietSeconds: 60,
  markerName: '_READY',
  pollIntervalSeconds: 30,
  maxPollIntervalSeconds: 300,
  maxWaitMinutes: 1440,
  visualLayerBaseUrl: 'https://app.visual-layer.com',
  datasetNamePrefix: '',
  visualLayerAccess: 'role',
  stackName: 'VlIngest',
  maxConcurrentDatasets: 10,
  lateObjects: 'append',
  reindex: 'auto',
};

/** Most slots the gate may have: its holders' ARNs share one DynamoDB item (400 KB). */
export const MAX_CONCURRENT_DATASETS = 1000;

/** How long a function waits for one Visual Layer answer before it counts as a timeout. */
export const VISUAL_LAYER_REQUEST_TIMEOUT_MS = 20_000;

/**
 * Longest a folder may keep receiving objects before its dataset is created anyway (quiet trigger).
 * Objects that arrive later are added to it by an append batch, or with `lateObjects=ignore` only
 * recorded (docs/how-it-works.md, "Late objects").
 */
export const SETTLE_CAP_SECONDS = 6 * 3600;

/** Raised when configuration is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: string[],
    heading = 'Invalid vl-ingest configuration',
  ) {
    super(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Settings of the Visual Layer read role that would have no effect as given. */
function readRoleProblems(config: IngestConfig, existing: { given: boolean; label: string }): string[] {
  const problems: string[] = [];
  const { visualLayerAccess, visualLayerExternalId, bucketKmsKeyArn, bucketName } = config;
  if (visualLayerAccess === 'none') {
    for (const [key, value] of Object.entries({ visualLayerExternalId, bucketKmsKeyArn })) {
      if (value !== undefined)
        problems.push(
          `${key}=${JSON.stringify(value)} has no effect with visualLayerAccess=none: it is a setting of the read role; ` +
            'drop it, or use visualLayerAccess=role',
        );
    }
  } else if (bucketKmsKeyArn !== undefined && bucketName === undefined && !existing.given) {
    problems.push(
      `bucketKmsKeyArn=${JSON.stringify(bucketKmsKeyArn)} is for an existing bucket (${existing.label}): ` +
        'a bucket vl-ingest creates is encrypted with S3 managed keys and needs none',
    );
  }
  return problems;
}

/** Reads one context value; CDK's `node.tryGetContext` fits. */
export type ContextReader = (key: string) => unknown;

/**
 * Reads and validates the configuration from CDK context (`-c key=value` gives strings, cdk.json may
 * give numbers). Unset keys take the defaults of the README's configuration table. A context key
 * that is not a setting but looks like one (`Trigger`, `quietsecond`) is a problem too.
 *
 * @param contextKeys every key of the app's context (`Object.keys(app.node.getAllContext())`).
 * @throws ConfigError naming each invalid key, its value and what is allowed.
 */
export function parseConfig(read: ContextReader, contextKeys: Iterable<string> = []): IngestConfig {
  const problems = lookAlikeKeyProblems(contextKeys, CONFIG_KEYS, read);
  const config = readConfig(read, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * The rules of {@link parseConfig} without the throw: reads every setting, adds each problem to
 * `problems` (a bad value takes its default), and returns the settings. The construct reads its props
 * with it, so context keys and props follow one set of rules.
 *
 * @param existingBucket whether an existing bucket was given besides `bucketName` (the construct's
 *   `bucket`), and how problems name the ways to give one (`bucket or bucketName`).
 */
export function readConfig(
  read: ContextReader,
  problems: string[],
  existingBucket = { given: false, label: 'bucketName' },
) {
  const p = new ContextParser(read, DEFAULT_CONFIG, problems);
  const config: IngestConfig = {
    bucketName: p.optionalString(
      'bucketName',
      BUCKET_NAME,
      'an S3 bucket name (3-63 lower-case letters, digits, "." and "-")',
    ),
    prefix: p.prefix('prefix'),
    folderDepth: p.integer('folderDepth', 1, 10),
    trigger: p.oneOf('trigger', ['quiet', 'marker'] as const),
    quietSeconds: p.integer('quietSeconds', 1, 86_400),
    markerName: p.string('markerName', MARKER_NAME, 'a file name without "/" (1-255 characters)'),
    pollIntervalSeconds: p.integer('pollIntervalSeconds', 1, 3_600),
    maxPollIntervalSeconds: p.integer('maxPollIntervalSeconds', 1, 86_400),
    maxWaitMinutes: p.number('maxWaitMinutes', 0, 525_600),
    visualLayerBaseUrl: p.url('visualLayerBaseUrl'),
    secretName: p.secretId('secretName'),
    datasetNamePrefix: p.string('datasetNamePrefix', /^.{0,50}$/, 'at most 50 printable characters'),
    alarmEmail: p.optionalString('alarmEmail', EMAIL, 'an e-mail address'),
    visualLayerAccess: p.oneOf('visualLayerAccess', ['role', 'none'] as const),
    visualLayerExternalId: p.optionalString(
      'visualLayerExternalId',
      EXTERNAL_ID,
      '2-1224 letters, digits and +=,.@:/-',
    ),
    bucketKmsKeyArn: p.optionalString(
      'bucketKmsKeyArn',
      KMS_KEY_ARN,
      'a KMS key ARN, arn:<partition>:kms:<region>:<account>:key/<key id> (not an alias: policies name the key)',
    ),
    stackName: p.string(
      'stackName',
      STACK_NAME,
      'a CloudFormation stack name: a letter, then letters, digits and "-" (at most 128 characters)',
    ),
    maxConcurrentDatasets: p.integer('maxConcurrentDatasets', 0, MAX_CONCURRENT_DATASETS),
    lateObjects: p.oneOf('lateObjects', ['append', 'ignore'] as const),
    reindex: p.oneOf('reindex', ['auto', 'manual'] as const),
  };
  problems.push(...readRoleProblems(config, existingBucket));
  if (
    config.maxPollIntervalSeconds < config.pollIntervalSeconds &&
    !problems.some((x) => x.includes('PollInterval'))
  ) {
    problems.push(
      `maxPollIntervalSeconds=${config.maxPollIntervalSeconds} is below pollIntervalSeconds=${config.pollIntervalSeconds}: it must be at least as long`,
    );
  }
  const polls = pollsToDeadline(
    config.pollIntervalSeconds,
    config.maxPollIntervalSeconds,
    config.maxWaitMinutes,
  );
  if (problems.length === 0 && polls > MAX_POLLS) {
    problems.push(
      `maxWaitMinutes=${config.maxWaitMinutes} with maxPollIntervalSeconds=${config.maxPollIntervalSeconds} needs ${polls} status checks; ` +
        `one execution makes at most ${MAX_POLLS} (its history is limited): raise maxPollIntervalSeconds to at least ` +
        `${Math.ceil((config.maxWaitMinutes * 60) / (MAX_POLLS - 20))} or lower maxWaitMinutes`,
    );
  }
  return config;
}
