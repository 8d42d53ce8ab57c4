import { MAX_POLLS, pollsToDeadline } from '../lambdas/shared/polling/limits';
import { encodeS3EventKey } from '../lambdas/shared/s3/s3-key';

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
}

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
};

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
  const p = new Parser(read, problems);
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

const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MARKER_NAME = /^[^/]{1,255}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isPrintable(text: string): boolean {
  return [...text].every((c) => {
    const code = c.charCodeAt(0);
    return code >= 0x20 && code !== 0x7f;
  });
}

class Parser {
  constructor(
    private readonly read: ContextReader,
    private readonly problems: string[],
  ) {}

  private raw(key: keyof IngestConfig): unknown {
    const value = this.read(key);
    return value === undefined || value === null ? undefined : value;
  }

  private fail<T>(key: string, value: unknown, allowed: string, fallback: T): T {
    this.problems.push(`${key}=${JSON.stringify(value)} is invalid: expected ${allowed}`);
    return fallback;
  }

  integer(key: keyof IngestConfig, min: number, max: number): number {
    const fallback = DEFAULT_CONFIG[key] as number;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      return this.fail(key, value, `a whole number from ${min} to ${max}`, fallback);
    return n;
  }

  number(key: keyof IngestConfig, exclusiveMin: number, max: number): number {
    const fallback = DEFAULT_CONFIG[key] as number;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : Number.NaN;
    if (!Number.isFinite(n) || n <= exclusiveMin || n > max) {
      return this.fail(
        key,
        value,
        `a number above ${exclusiveMin} and at most ${max} (fractions allowed)`,
        fallback,
      );
    }
    return n;
  }

  oneOf<T extends string>(key: keyof IngestConfig, allowed: readonly T[]): T {
    const fallback = DEFAULT_CONFIG[key] as T;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(key, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, fallback);
  }

  string(key: keyof IngestConfig, pattern: RegExp, allowed: string): string {
    const fallback = DEFAULT_CONFIG[key] as string;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && pattern.test(value) && isPrintable(value)) return value;
    return this.fail(key, value, allowed, fallback);
  }

  optionalString(key: keyof IngestConfig, pattern: RegExp, allowed: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' && pattern.test(value)) return value;
    return this.fail(key, value, allowed, undefined);
  }

  /** A key prefix: no leading "/", and a trailing "/" is added so that "incoming" means the folder. */
  prefix(key: keyof IngestConfig): string {
    const value = this.raw(key);
    if (value === undefined || value === '') return '';
    // The prefix is written into the EventBridge pattern URL-encoded; keep it well inside its 2048 characters.
    if (
      typeof value !== 'string' ||
      value.startsWith('/') ||
      value.includes('//') ||
      encodeS3EventKey(value).length > 500
    ) {
      return this.fail(
        key,
        value,
        'a key prefix without a leading "/" or "//", at most 500 characters once URL-encoded, such as "incoming/"',
        '',
      );
    }
    return value.endsWith('/') ? value : `${value}/`;
  }

  url(key: keyof IngestConfig): string {
    const fallback = DEFAULT_CONFIG[key] as string;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const allowed =
      'an http(s) URL without credentials, query or fragment, such as https://app.visual-layer.com';
    if (typeof value !== 'string') return this.fail(key, value, allowed, fallback);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return this.fail(key, value, allowed, fallback);
    }
    if (
      !['http:', 'https:'].includes(url.protocol) ||
      url.username ||
      url.password ||
      url.search ||
      url.hash
    ) {
      return this.fail(key, value, allowed, fallback);
    }
    return value.replace(/\/+$/, '');
  }
}
