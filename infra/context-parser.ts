import { encodeS3EventKey } from '../lambdas/shared/s3/s3-key';
import { withoutTrailingSlash } from '../lambdas/shared/visual-layer/client';

export const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const MARKER_NAME = /^[^/]{1,255}$/;
/** A CloudFormation stack name, and the name of a deployment (the construct's `name`). */
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** A complete secret ARN: Secrets Manager appends `-` and 6 characters to the name. */
export const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** What STS accepts as an external id. */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** A KMS key (single- or multi-Region) by ARN; IAM policies cannot name a key by its alias. */
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:mrk-[0-9a-f]{32}|[0-9a-f-]{36})$/;

function isPrintable(text: string): boolean {
  return [...text].every((c) => {
    const code = c.charCodeAt(0);
    return code >= 0x20 && code !== 0x7f;
  });
}

/**
 * Reads CDK context values one key at a time: a value that is unset takes its default, a bad one
 * adds a problem naming the key, the value and what is allowed (and takes the default, so every
 * problem is found in one pass).
 */
export class ContextParser<C extends object> {
  constructor(
    private readonly read: (key: string) => unknown,
    private readonly defaults: C,
    private readonly problems: string[],
  ) {}

  private raw(key: keyof C & string): unknown {
    const value = this.read(key);
    return value === undefined || value === null ? undefined : value;
  }

  private fail<T>(key: string, value: unknown, allowed: string, fallback: T): T {
    return this.refuse(key, value, `expected ${allowed}`, fallback);
  }

  private refuse<T>(key: string, value: unknown, why: string, fallback: T): T {
    this.problems.push(`${key}=${JSON.stringify(value)} is invalid: ${why}`);
    return fallback;
  }

  integer(key: keyof C & string, min: number, max: number): number {
    return this.numeric(
      key,
      (n) => Number.isInteger(n) && n >= min && n <= max,
      `a whole number from ${min} to ${max}`,
    );
  }

  number(key: keyof C & string, exclusiveMin: number, max: number): number {
    return this.numeric(
      key,
      (n) => Number.isFinite(n) && n > exclusiveMin && n <= max,
      `a number above ${exclusiveMin} and at most ${max} (fractions allowed)`,
    );
  }

  /** A number from cdk.json, or its text from `-c key=value`. */
  private numeric(key: keyof C & string, valid: (n: number) => boolean, allowed: string): number {
    const fallback = this.defaults[key] as number;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : Number.NaN;
    return valid(n) ? n : this.fail(key, value, allowed, fallback);
  }

  oneOf<T extends string>(key: keyof C & string, allowed: readonly T[]): T {
    const fallback = this.defaults[key] as T;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(key, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, fallback);
  }

  string(key: keyof C & string, pattern: RegExp, allowed: string): string {
    const fallback = this.defaults[key] as string;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && pattern.test(value) && isPrintable(value)) return value;
    return this.fail(key, value, allowed, fallback);
  }

  optionalString(key: keyof C & string, pattern: RegExp, allowed: string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' && pattern.test(value)) return value;
    return this.fail(key, value, allowed, undefined);
  }

  /**
   * A Secrets Manager secret by name, or by its complete ARN: a function's role can be granted a
   * secret by ARN only with the 6-character suffix (a partial ARN matches no secret in a policy).
   */
  secretId(key: keyof C & string): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' && !value.startsWith('arn:') && SECRET_NAME.test(value)) return value;
    if (typeof value === 'string' && SECRET_ARN.test(value)) return value;
    const name = typeof value === 'string' ? /:secret:(.+)$/.exec(value)?.[1] : undefined;
    return this.fail(
      key,
      value,
      `the secret's name${name ? ` ("${name}")` : ''}, or its full ARN ` +
        'arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-XXXXXX, ending in the 6 characters ' +
        'Secrets Manager appends to the name (see the secret in the console)',
      undefined,
    );
  }

  /** A key prefix: no leading "/", and a trailing "/" is added so that "incoming" means the folder. */
  prefix(key: keyof C & string): string {
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

  url(key: keyof C & string): string {
    const fallback = this.defaults[key] as string;
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
    if (/\/api\/v1\/?$/.test(url.pathname)) {
      return this.refuse(
        key,
        value,
        `drop the trailing /api/v1 (the functions add it): ${value.replace(/\/api\/v1\/?$/, '')}`,
        fallback,
      );
    }
    return withoutTrailingSlash(value);
  }
}
