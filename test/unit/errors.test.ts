import { describe, expect, it } from 'vitest';
import {
  FAILURE_CODES,
  VisualLayerAuthError,
  VisualLayerBadRequestError,
  VisualLayerConflictError,
  VisualLayerForbiddenError,
  VisualLayerNotFoundError,
  VisualLayerTransientError,
} from '../../lambdas/shared/errors';
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
