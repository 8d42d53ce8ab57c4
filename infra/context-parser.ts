import { encodeS3EventKey } from '../lambdas/shared/s3/s3-key';
import { withoutTrailingSlash } from '../lambdas/shared/visual-layer/client';
import type { ContextReader, IngestConfig } from './config';

export const BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const MARKER_NAME = /^[^/]{1,255}$/;
export const SECRET_NAME = /^[A-Za-z0-9/_+=.@:-]{1,2048}$/;
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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
export class ContextParser {
  constructor(
    private readonly read: ContextReader,
    private readonly defaults: IngestConfig,
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
    return this.numeric(
      key,
      (n) => Number.isInteger(n) && n >= min && n <= max,
      `a whole number from ${min} to ${max}`,
    );
  }

  number(key: keyof IngestConfig, exclusiveMin: number, max: number): number {
    return this.numeric(
      key,
      (n) => Number.isFinite(n) && n > exclusiveMin && n <= max,
      `a number above ${exclusiveMin} and at most ${max} (fractions allowed)`,
    );
  }

  /** A number from cdk.json, or its text from `-c key=value`. */
  private numeric(key: keyof IngestConfig, valid: (n: number) => boolean, allowed: string): number {
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

  oneOf<T extends string>(key: keyof IngestConfig, allowed: readonly T[]): T {
    const fallback = this.defaults[key] as T;
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    return this.fail(key, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, fallback);
  }

  string(key: keyof IngestConfig, pattern: RegExp, allowed: string): string {
    const fallback = this.defaults[key] as string;
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
    return withoutTrailingSlash(value);
  }
}
