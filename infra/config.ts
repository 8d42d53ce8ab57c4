import { MAX_POLLS, pollsToDeadline } from '../lambdas/shared/polling/limits';
import { BUCKET_NAME, ContextParser, EMAIL, MARKER_NAME, SECRET_NAME } from './context-parser';

/** How the dataset creation is triggered; see docs/how-it-works.md, "Triggers". */
export type Trigger = 'quiet' | 'marker';

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
  lateObjects: 'append',
  reindex: 'auto',
};

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
  constructor(readonly problems: string[]) {
    super(`Invalid vl-ingest configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Reads one context value; CDK's `node.tryGetContext` fits. */
export type ContextReader = (key: string) => unknown;

/**
 * Reads and validates the configuration from CDK context (`-c key=value` gives strings, cdk.json may
 * give numbers). Unset keys take the defaults of the README's configuration table.
 *
 * @throws ConfigError naming each invalid key, its value and what is allowed.
 */
export function parseConfig(read: ContextReader): IngestConfig {
  const problems: string[] = [];
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
    secretName: p.optionalString(
      'secretName',
      SECRET_NAME,
      'a Secrets Manager name or ARN (letters, digits, /_+=.@-:)',
    ),
    datasetNamePrefix: p.string('datasetNamePrefix', /^.{0,50}$/, 'at most 50 printable characters'),
    alarmEmail: p.optionalString('alarmEmail', EMAIL, 'an e-mail address'),
    lateObjects: p.oneOf('lateObjects', ['append', 'ignore'] as const),
    reindex: p.oneOf('reindex', ['auto', 'manual'] as const),
  };
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
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
