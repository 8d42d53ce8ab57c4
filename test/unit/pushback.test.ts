import { describe, expect, it } from 'vitest';
import { VisualLayerForbiddenError, VisualLayerTransientError } from '../../lambdas/shared/errors';
import { MAX_CREATE_WAITS } from '../../lambdas/shared/polling/limits';
import { decideAfterPushback } from '../../lambdas/shared/polling/poll';
import { decidePushback, type Pushback, pushbackOf } from '../../lambdas/shared/visual-layer/pushback';
import { classifyHttpError } from '../../lambdas/shared/visual-layer/responses';

const since = new Date('2026-11-29T10:00:00Z');
const LIMITS = { minSeconds: 30, maxSeconds: 300, maxWaitMinutes: 1440 };
const at = (seconds: number) => new Date(since.getTime() + seconds * 1000);
/** The pushback of an answer, failing the test when it is none. */
function pushed(status: number, retryAfter?: string): Pushback {
  const pushback = pushbackOf(answer(status, retryAfter));
  if (!pushback) throw new Error(`${status} is not a pushback`);
  return pushback;
}
const answer = (status: number, retryAfter?: string) =>
  classifyHttpError({ status, body: { detail: 'slow down' }, retryAfter, action: 'creating dataset "cams"' });

describe('pushbackOf: which answers are Visual Layer asking to wait', () => {
  it.each([
    [429, '3600', 3600],
    [429, undefined, undefined],
    [503, '120', 120],
    [503, undefined, undefined],
  ])('%i with Retry-After %s is a wait', (status, retryAfter, seconds) => {
    expect(pushbackOf(answer(status, retryAfter))).toMatchObject({ status, retryAfterSeconds: seconds });
  });

  it.each([500, 502, 504])('%i is a failed call, not a wait', (status) => {
    expect(pushbackOf(answer(status))).toBeUndefined();
  });

  it('a 403 plan limit stays a permanent refusal', () => {
    const error = answer(403);
    expect(error).toBeInstanceOf(VisualLayerForbiddenError);
    expect(pushbackOf(error)).toBeUndefined();
  });

  it('a network failure is not a wait', () => {
    expect(pushbackOf(new VisualLayerTransientError('connection reset'))).toBeUndefined();
    expect(pushbackOf(new TypeError('boom'))).toBeUndefined();
  });
});

describe('decidePushback: how long to wait, and when to give up', () => {
  const base = { since, waits: 0, lastWaitSeconds: 0, limits: LIMITS, random: () => 0.5 };

  it('honours a Retry-After of any length', () => {
    const d = decidePushback({ ...base, pushback: pushed(429, '3600'), now: at(10) });
    expect(d).toMatchObject({ outcome: 'WAIT', waitSeconds: 3600 });
    expect(d.message).toMatch(/429.*Retry-After 3600 s/);
  });

  it('backs off with jitter without Retry-After, never sooner than the backoff', () => {
    const pushback = pushed(503);
    const low = decidePushback({ ...base, pushback, now: at(10), random: () => 0 });
    const high = decidePushback({ ...base, pushback, now: at(10), random: () => 0.99 });
    expect(low.outcome).toBe('WAIT');
    expect(high.waitSeconds).toBeGreaterThan(low.waitSeconds);
    expect(low.waitSeconds).toBeGreaterThanOrEqual(LIMITS.minSeconds);
    const later = decidePushback({
      ...base,
      pushback,
      now: at(400),
      waits: 5,
      lastWaitSeconds: 200,
      random: () => 0,
    });
    expect(later.waitSeconds).toBeGreaterThan(low.waitSeconds);
  });

  it('never waits past the deadline, and gives up only once it has passed', () => {
    const pushback = pushed(429, '3600');
    const near = decidePushback({ ...base, pushback, now: at(1440 * 60 - 100) });
    expect(near).toMatchObject({ outcome: 'WAIT', waitSeconds: 100 });
    const past = decidePushback({ ...base, pushback, now: at(1440 * 60) });
    expect(past.outcome).toBe('TIMED_OUT');
    expect(past.message).toMatch(/429/);
    expect(past.message).toMatch(/maxWaitMinutes=1440/);
  });

  it.each([
    [30, 300, 1],
    [30, 300, 1440],
    [1, 2, 1440],
    [60, 3600, 525_600],
  ])(
    'reaches the deadline (min %i s, max %i s, %i min) within MAX_CREATE_WAITS waits, whatever Retry-After says',
    (minSeconds, maxSeconds, maxWaitMinutes) => {
      const limits = { minSeconds, maxSeconds, maxWaitMinutes };
      const pushback = pushed(429, '0');
      let t = 0;
      let waits = 0;
      let lastWaitSeconds = 0;
      for (;;) {
        const d = decidePushback({
          pushback,
          since,
          now: at(t),
          waits,
          lastWaitSeconds,
          limits,
          random: () => 0,
        });
        if (d.outcome === 'TIMED_OUT') break;
        waits += 1;
        lastWaitSeconds = d.waitSeconds;
        t += d.waitSeconds;
      }
      expect(t).toBeGreaterThanOrEqual(maxWaitMinutes * 60);
      expect(waits).toBeLessThanOrEqual(MAX_CREATE_WAITS);
    },
  );
});

describe('decideAfterPushback: a status check Visual Layer asked to wait', () => {
  const last = {
    polls: 4,
    nextWaitSeconds: 120,
    failures: 2,
    vlStatus: 'INDEXING',
    progress: 40,
    track: {
      baseline: { at: since.toISOString(), progress: 0 },
      previous: { at: at(600).toISOString(), progress: 40 },
    },
  };

  it('is a wait, not a failed check: counted as a check, failures and readings kept', () => {
    const d = decideAfterPushback(
      pushed(429, '900'),
      { polls: last.polls, lastWaitSeconds: last.nextWaitSeconds, since, track: last.track },
      { vlStatus: last.vlStatus, progress: last.progress, failures: last.failures },
      LIMITS,
      at(720),
      () => 0.5,
    );
    expect(d).toMatchObject({
      outcome: 'IN_PROGRESS',
      throttled: true,
      polls: 5,
      failures: 2,
      vlStatus: 'INDEXING',
      progress: 40,
      nextWaitSeconds: 900,
      track: last.track,
    });
  });

  it('times out at the deadline, saying Visual Layer kept asking to wait', () => {
    const d = decideAfterPushback(
      pushed(503),
      { polls: 9, lastWaitSeconds: 300, since },
      {},
      LIMITS,
      at(1440 * 60 + 1),
      () => 0,
    );
    expect(d.outcome).toBe('TIMED_OUT');
    expect(d.vlStatus).toBe('UNKNOWN');
    expect(d.message).toMatch(/503.*maxWaitMinutes=1440/);
  });
});
