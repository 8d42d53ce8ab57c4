import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import {
  FAILURE_CODES,
  VisualLayerAuthError,
  VisualLayerBadRequestError,
  VisualLayerConflictError,
  VisualLayerForbiddenError,
  VisualLayerNotFoundError,
  VisualLayerTransientError,
} from '../../lambdas/shared/errors';
import { logFailure } from '../../lambdas/shared/runtime';
import { boundText, MAX_TEXT, redactSecrets, rememberSecret } from '../../lambdas/shared/text';
import {
  classifyHttpError,
  describeErrorBody,
  parseRetryAfter,
} from '../../lambdas/shared/visual-layer/responses';

const classify = (status: number, body: unknown = {}, retryAfter?: string) =>
  classifyHttpError({ status, body, retryAfter, action: 'creating dataset "x"' });

describe('classifyHttpError', () => {
  it.each([
    [500, VisualLayerTransientError],
    [502, VisualLayerTransientError],
    [503, VisualLayerTransientError],
    [504, VisualLayerTransientError],
    [429, VisualLayerTransientError],
    [401, VisualLayerAuthError],
    [403, VisualLayerForbiddenError],
    [404, VisualLayerNotFoundError],
    [409, VisualLayerConflictError],
    [400, VisualLayerBadRequestError],
    [422, VisualLayerBadRequestError],
  ])('%i → %o', (status, type) => {
    const error = classify(status);
    expect(error).toBeInstanceOf(type);
    expect(error.retryable).toBe(type === VisualLayerTransientError);
  });

  it('marks gateway errors as ambiguous (the request may have been acted on) but not 500 or 429', () => {
    expect((classify(502) as VisualLayerTransientError).ambiguous).toBe(true);
    expect((classify(504) as VisualLayerTransientError).ambiguous).toBe(true);
    expect((classify(500) as VisualLayerTransientError).ambiguous).toBe(false);
    expect((classify(429) as VisualLayerTransientError).ambiguous).toBe(false);
  });

  it('keeps Retry-After of a 429', () => {
    expect((classify(429, {}, '7') as VisualLayerTransientError).retryAfterSeconds).toBe(7);
  });

  it("keeps Visual Layer's own words and says what was being done", () => {
    expect(classify(400, { detail: 'Invalid bucket path' }).message).toBe(
      'Visual Layer rejected the request while creating dataset "x" (400): Invalid bucket path',
    );
    expect(classify(401).message).toMatch(/authentication failed/);
  });

  it('has a failure code for every error the functions throw by name', () => {
    for (const type of [
      VisualLayerAuthError,
      VisualLayerBadRequestError,
      VisualLayerForbiddenError,
      VisualLayerNotFoundError,
    ]) {
      expect(FAILURE_CODES).toHaveProperty(new type('x').name);
    }
  });
});

describe('describeErrorBody', () => {
  it('reads a string detail', () => {
    expect(describeErrorBody({ detail: 'Dataset not found' })).toBe('Dataset not found');
  });

  it('reads a 422 detail array, naming the field but not echoing the input', () => {
    const said = describeErrorBody({
      detail: [
        { type: 'missing', loc: ['body', 'bucket_path'], msg: 'Field required', input: 'SECRET-ISH' },
        {
          type: 'string_type',
          loc: ['body', 'dataset_name'],
          msg: 'Input should be a valid string',
          input: 3,
        },
      ],
    });
    expect(said).toBe('bucket_path: Field required; dataset_name: Input should be a valid string');
    expect(said).not.toContain('SECRET-ISH');
  });

  it('reads the legacy {status: "error", message}', () => {
    expect(describeErrorBody({ status: 'error', message: 'bucket not accessible' })).toBe(
      'bucket not accessible',
    );
  });

  it('gives nothing for an empty body', () => {
    expect(describeErrorBody({})).toBeUndefined();
    expect(describeErrorBody('')).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-29T10:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

const JWT = 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJrIiwiaXNzIjoic2RrIn0.c2lnbmF0dXJlLWJ5dGVz';

describe('Visual Layer words that echo credentials', () => {
  it('keep no bearer token, JWT or secret in the error message', () => {
    const message = classify(401, {
      detail: `Invalid token. Headers: {"Authorization": "Bearer ${JWT}"}; api_secret=s3cr3t-value`,
    }).message;
    expect(message).not.toContain(JWT);
    expect(message).not.toContain('s3cr3t-value');
    expect(message).toMatch(/Invalid token/);
    expect(message).toMatch(/Bearer \[redacted\]/);
  });

  it('keep no token in a body that is plain text', () => {
    expect(describeErrorBody(`<html>401: bearer ${JWT.slice(0, 40)}</html>`)).toBe(
      '<html>401: bearer [redacted]</html>',
    );
  });
});

describe('redactSecrets', () => {
  it.each([
    ['a bearer token', `Authorization: Bearer ${JWT}`, 'Authorization: Bearer [redacted]'],
    ['a bare JWT', `token was ${JWT}.`, 'token was [redacted].'],
    ['a secret field', '{"apiSecret":"abc123def456"}', '{"apiSecret":"[redacted]"}'],
    ['a secret parameter', 'api_secret=abc123def456&x=1', 'api_secret=[redacted]&x=1'],
    ['a password', 'password: hunter2hunter2', 'password: [redacted]'],
  ])('removes %s', (_what, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('removes a secret value it was told about, wherever it appears', () => {
    rememberSecret('a-remembered-api-secret-0123');
    expect(redactSecrets('signed with a-remembered-api-secret-0123 at noon')).toBe(
      'signed with [redacted] at noon',
    );
  });

  it('leaves ordinary words, ARNs and the placeholder help alone', () => {
    for (const text of [
      'the secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl-ingest/creds-AbCdEf does not exist',
      'put {"apiKey":"<API key>","apiSecret":"<API secret>"} in it',
      'Dataset limit reached for plan',
      'Token expired',
    ]) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});

describe('boundText', () => {
  it('keeps a short text as it is', () => {
    expect(boundText('Access denied')).toBe('Access denied');
  });

  it('cuts a long text to the bound and says it was cut', () => {
    const long = `AccessDenied: ${'x'.repeat(300_000)}`;
    const bounded = boundText(long);
    expect(bounded.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(bounded.startsWith('AccessDenied: xxx')).toBe(true);
    expect(bounded).toMatch(/cut.*300014/);
  });

  it('bounds every message the functions throw, and so the stack Lambda reports', () => {
    const error = new VisualLayerBadRequestError(`refused: ${'y'.repeat(450_000)}`);
    expect(error.message.length).toBeLessThanOrEqual(MAX_TEXT);
    expect((error.stack ?? '').length).toBeLessThan(MAX_TEXT + 2000);
  });
});

describe('logFailure', () => {
  it('logs the message redacted and bounded', () => {
    const logger = new Logger({ serviceName: 'test' });
    const error = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    logFailure(logger, 'status check failed', new Error(`echo Bearer ${JWT} ${'z'.repeat(10_000)}`));
    const fields = error.mock.calls[0]?.[1] as { errorMessage: string };
    expect(fields.errorMessage).not.toContain(JWT);
    expect(fields.errorMessage.length).toBeLessThanOrEqual(MAX_TEXT);
  });
});
