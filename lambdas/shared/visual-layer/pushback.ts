import { VisualLayerTransientError } from '../errors';
import { formatDuration, secondsLeft, untilDeadline } from '../polling/deadline';
import { MAX_CREATE_WAITS } from '../polling/limits';
import type { PollBounds } from '../polling/schedule';

/** Visual Layer asking the pipeline to wait: a 429 or a 503, with its `Retry-After` when it said one. */
export interface Pushback {
  status: 429 | 503;
  retryAfterSeconds?: number;
  /** What Visual Layer answered, for the record and the logs (bounded, redacted). */
  message: string;
}

/** Share of the backoff added at random, so that folders pushed back together do not return together. */
export const PUSHBACK_JITTER = 0.5;

/**
 * The pushback an error is, if it is one: a 429 or a 503 is Visual Layer asking to wait, not a
 * failure. Other 5xx, timeouts and dropped connections are failed calls; a 403 (plan limits) is a
 * permanent refusal.
 */
export function pushbackOf(error: unknown): Pushback | undefined {
  if (!(error instanceof VisualLayerTransientError)) return undefined;
  if (error.status !== 429 && error.status !== 503) return undefined;
  return { status: error.status, retryAfterSeconds: error.retryAfterSeconds, message: error.message };
}

/**
 * The wait after a pushback: the backoff (the last wait × 1.5, from `minSeconds` up to
 * `capSeconds`) plus up to {@link PUSHBACK_JITTER} of it at random, or the `Retry-After` when that
 * is longer — of any length: a Wait state waits it, no compute is billed.
 */
export function pushbackWait(input: {
  retryAfterSeconds?: number;
  lastWaitSeconds: number;
  minSeconds: number;
  capSeconds: number;
  random: () => number;
}): number {
  const { minSeconds, capSeconds } = input;
  const grown = input.lastWaitSeconds > 0 ? Math.ceil(input.lastWaitSeconds * 1.5) : minSeconds;
  const backoff = Math.max(minSeconds, Math.min(capSeconds, grown));
  const jittered = Math.ceil(backoff * (1 + PUSHBACK_JITTER * input.random()));
  return Math.max(jittered, input.retryAfterSeconds ?? 0);
}

/**
 * The longest backoff between two creates Visual Layer pushed back: at least `maxSeconds`, and long
 * enough that half of {@link MAX_CREATE_WAITS} waits span the whole deadline — so the deadline,
 * not the count of waits, is what ends the attempt.
 */
export function createWaitCap(limits: PollBounds & { maxWaitMinutes: number }): number {
  return Math.max(limits.maxSeconds, Math.ceil((limits.maxWaitMinutes * 60) / (MAX_CREATE_WAITS / 2)));
}

/** What to do after Visual Layer pushed back on a create. */
export type PushbackDecision =
  | { outcome: 'WAIT'; waitSeconds: number; message: string }
  | { outcome: 'TIMED_OUT'; waitSeconds: 0; message: string };

/**
 * After a create Visual Layer pushed back on: wait ({@link pushbackWait}, never past the attempt's
 * deadline), or give up once the deadline has passed.
 */
export function decidePushback(input: {
  pushback: Pushback;
  since: Date;
  now: Date;
  /** Waits already made for this create. */
  waits: number;
  lastWaitSeconds: number;
  limits: PollBounds & { maxWaitMinutes: number };
  random: () => number;
}): PushbackDecision {
  const { pushback, since, now, limits } = input;
  if (secondsLeft(since, limits.maxWaitMinutes, now) <= 0 || input.waits >= MAX_CREATE_WAITS) {
    return {
      outcome: 'TIMED_OUT',
      waitSeconds: 0,
      message: gaveUp(pushback, since, now, limits.maxWaitMinutes),
    };
  }
  const wait = pushbackWait({
    retryAfterSeconds: pushback.retryAfterSeconds,
    lastWaitSeconds: input.lastWaitSeconds,
    minSeconds: limits.minSeconds,
    capSeconds: createWaitCap(limits),
    random: input.random,
  });
  const waitSeconds = untilDeadline(wait, since, limits.maxWaitMinutes, now);
  return { outcome: 'WAIT', waitSeconds, message: `${describe(pushback)}; trying again in ${waitSeconds} s` };
}

/** The pushback as a person reads it: what Visual Layer said and its Retry-After. */
export function describe(pushback: Pushback): string {
  const said = pushback.message.replace(/\.$/, '');
  return pushback.retryAfterSeconds === undefined
    ? `${said} (no Retry-After)`
    : `${said} (Retry-After ${pushback.retryAfterSeconds} s)`;
}

/** Why an attempt gave up: Visual Layer still asked to wait when the deadline came. */
export function gaveUp(pushback: Pushback, since: Date, now: Date, maxWaitMinutes: number): string {
  const waited = formatDuration((now.getTime() - since.getTime()) / 1000);
  return `${describe(pushback)}; still asked to wait after ${waited} (limit maxWaitMinutes=${maxWaitMinutes})`;
}
