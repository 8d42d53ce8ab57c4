import { describe, expect, it } from 'vitest';
import {
  CredentialsError,
  TransientDependencyError,
  VisualLayerAuthError,
  VisualLayerNotFoundError,
  VisualLayerResponseError,
  VisualLayerTransientError,
} from '../../lambdas/shared/errors';
import { asFailedCheck } from '../../lambdas/shared/polling/failed-check';
import { decideAfterPoll } from '../../lambdas/shared/polling/poll';
import { nextPollInterval } from '../../lambdas/shared/polling/schedule';
import { MAX_TEXT } from '../../lambdas/shared/text';
import { parseDatasetStatus } from '../../lambdas/shared/visual-layer/responses';

describe('parseDatasetStatus', () => {
  it.each([
    [{ status_new: 'READY' }, 'READY', 'READY'],
    [{ status_new: 'ERROR', fatal_error_msg: 'no access' }, 'ERROR', 'ERROR'],
    [{ status_new: 'READ ONLY' }, 'READ_ONLY', 'IN_PROGRESS'],
    [{ status_new: 'partial index' }, 'PARTIAL_INDEX', 'IN_PROGRESS'],
    [{ status_new: 'DRAFT', status: 'READY' }, 'DRAFT', 'IN_PROGRESS'],
    [{ status: 'FATAL_ERROR' }, 'FATAL_ERROR', 'ERROR'],
    [{ status: 'ENRICHING' }, 'ENRICHING', 'IN_PROGRESS'],
    [{ status: 'READY' }, 'READY', 'READY'],
  ])('%j → %s (%s)', (body, vlStatus, outcome) => {
    expect(parseDatasetStatus(body)).toMatchObject({ vlStatus, outcome, unknownStatus: false });
  });

  it('treats an unknown word as in progress and flags it', () => {
    expect(parseDatasetStatus({ status_new: 'RE-CLUSTERING' })).toMatchObject({
      vlStatus: 'RE_CLUSTERING',
      outcome: 'IN_PROGRESS',
      unknownStatus: true,
    });
  });

  it('reads counts and the error message, tolerating missing ones', () => {
    expect(
      parseDatasetStatus({
        status_new: 'READY',
        progress: 100,
        n_images: 12,
        n_videos: '2',
        fatal_error_msg: null,
      }),
    ).toMatchObject({ progress: 100, nImages: 12, nVideos: 2, fatalErrorMsg: null });
    expect(parseDatasetStatus({ status_new: 'INDEXING' })).toMatchObject({ progress: null, nImages: null });
  });

  it('rejects a body with no status', () => {
    expect(() => parseDatasetStatus({ id: 'x' })).toThrowError(VisualLayerResponseError);
    expect(() => parseDatasetStatus([])).toThrowError(VisualLayerResponseError);
  });
});

describe('nextPollInterval', () => {
  const bounds = { minSeconds: 30, maxSeconds: 300 };
  it('grows by half each time and stops at the cap', () => {
    const seen: number[] = [];
    let wait = 30;
    for (let i = 0; i < 8; i += 1) {
      wait = nextPollInterval(wait, bounds);
      seen.push(wait);
    }
    expect(seen).toEqual([45, 68, 102, 153, 230, 300, 300, 300]);
  });
  it('never goes below the minimum', () => {
    expect(nextPollInterval(0, bounds)).toBe(45);
    expect(nextPollInterval(1, { minSeconds: 1, maxSeconds: 1 })).toBe(1);
  });
});

describe('decideAfterPoll', () => {
  const since = new Date('2026-11-29T10:00:00Z');
  const limits = { minSeconds: 30, maxSeconds: 300, maxWaitMinutes: 60 };
  const indexing = parseDatasetStatus({ status_new: 'INDEXING', progress: 40 });

  it('keeps polling before the deadline, counting polls', () => {
    const d = decideAfterPoll(
      indexing,
      { polls: 2, lastWaitSeconds: 45, since },
      limits,
      new Date('2026-11-29T10:10:00Z'),
    );
    expect(d).toMatchObject({ outcome: 'IN_PROGRESS', polls: 3, nextWaitSeconds: 68, progress: 40 });
  });

  it('times out at the deadline with a message that names the limit', () => {
    const d = decideAfterPoll(
      indexing,
      { polls: 9, lastWaitSeconds: 300, since },
      limits,
      new Date('2026-11-29T11:00:00Z'),
    );
    expect(d.outcome).toBe('TIMED_OUT');
    expect(d.message).toMatch(/maxWaitMinutes=60/);
  });

  it('never waits past the deadline', () => {
    const d = decideAfterPoll(
      indexing,
      { polls: 1, lastWaitSeconds: 300, since },
      limits,
      new Date('2026-11-29T10:59:50Z'),
    );
    expect(d.nextWaitSeconds).toBe(10);
  });

  it('carries fatal_error_msg on ERROR, or says there was none', () => {
    const now = new Date('2026-11-29T10:01:00Z');
    const withMessage = parseDatasetStatus({
      status_new: 'ERROR',
      fatal_error_msg: 'Access denied to bucket',
    });
    expect(decideAfterPoll(withMessage, { polls: 0, lastWaitSeconds: 30, since }, limits, now).message).toBe(
      'Access denied to bucket',
    );
    const without = parseDatasetStatus({ status_new: 'ERROR' });
    expect(decideAfterPoll(without, { polls: 0, lastWaitSeconds: 30, since }, limits, now).message).toMatch(
      /without a message/,
    );
  });
});

describe('what a status answer may put into state', () => {
  const since = new Date('2026-11-29T10:00:00Z');
  const limits = { minSeconds: 30, maxSeconds: 300, maxWaitMinutes: 60 };
  const now = new Date('2026-11-29T10:01:00Z');

  it('bounds a huge fatal_error_msg and status word, saying they were cut', () => {
    const status = parseDatasetStatus({
      status_new: `ERROR${'R'.repeat(10_000)}`,
      fatal_error_msg: `AccessDenied: ${'x'.repeat(300_000)}`,
    });
    expect(status.vlStatus.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(status.fatalErrorMsg?.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(status.fatalErrorMsg).toMatch(/^AccessDenied: x+.*cut/);
  });

  it('bounds the decision whatever the status says', () => {
    const decision = decideAfterPoll(
      {
        vlStatus: 'ERROR',
        outcome: 'ERROR',
        unknownStatus: false,
        progress: null,
        nImages: null,
        nVideos: null,
        fatalErrorMsg: 'm'.repeat(450_000),
      },
      { polls: 0, lastWaitSeconds: 30, since },
      limits,
      now,
    );
    expect(decision.message.length).toBeLessThanOrEqual(MAX_TEXT);
  });

  it('keeps no token Visual Layer echoes in fatal_error_msg', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrIn0.c2lnbmF0dXJl';
    const status = parseDatasetStatus({ status_new: 'ERROR', fatal_error_msg: `denied for Bearer ${jwt}` });
    expect(status.fatalErrorMsg).toBe('denied for Bearer [redacted]');
  });
});

describe('asFailedCheck', () => {
  it.each([
    [
      'an unusable answer',
      new VisualLayerResponseError('Visual Layer answered … with a body that is not JSON'),
    ],
    ['{} as an answer', new VisualLayerResponseError('… without status_new or status')],
    [
      'a throttled secret read',
      new TransientDependencyError('ThrottlingException while reading the secret s'),
    ],
    [
      'credentials refused after a fresh read',
      new VisualLayerAuthError('Visual Layer refused the credentials (401)'),
    ],
  ])('counts %s as a failed check, keeping what happened', (_what, error) => {
    const failed = asFailedCheck(error);
    expect(failed).toBeInstanceOf(VisualLayerTransientError);
    expect((failed as Error).message).toContain(error.message);
    expect((failed as Error).message).toMatch(/counted as a failed status check/);
  });

  it.each([
    ['a Visual Layer 5xx', new VisualLayerTransientError('Visual Layer answered 503')],
    ['a dataset Visual Layer no longer knows', new VisualLayerNotFoundError('404')],
    ['a secret that does not exist', new CredentialsError('the secret s does not exist')],
    ['a crash', new TypeError('x is undefined')],
  ])('leaves %s as it is', (_what, error) => {
    expect(asFailedCheck(error)).toBe(error);
  });
});
