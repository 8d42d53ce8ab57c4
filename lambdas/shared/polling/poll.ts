import { boundText } from '../text';
import { describe, gaveUp, type Pushback, pushbackWait } from '../visual-layer/pushback';
import type { DatasetStatus } from '../visual-layer/responses';
import { elapsedSeconds, formatDuration, untilDeadline } from './deadline';
import { MAX_POLLS } from './limits';
import { type PollBounds, type ProgressTrack, scheduleNextCheck } from './schedule';

/** Where the poll loop stands, carried in the state machine between checks. */
export interface PollState {
  /** Checks made so far, this one excluded. */
  polls: number;
  /** The wait that preceded this check, in seconds. */
  lastWaitSeconds: number;
  /** When the attempt began; the deadline counts from here. */
  since: Date;
  /** The progress readings carried from the earlier checks. @default none */
  track?: ProgressTrack;
}

/** Poll loop limits. */
export interface PollLimits extends PollBounds {
  /** Give up (TIMED_OUT) once this many minutes have passed since the attempt began (fractions allowed). */
  maxWaitMinutes: number;
  /** Give up (TIMED_OUT) after this many checks, whatever the clock says. @default MAX_POLLS */
  maxPolls?: number;
}

/** What the state machine's Choice reads after a check, and what it records. */
export interface PollDecision {
  /** `READY`, `ERROR`, `TIMED_OUT` end the loop; `IN_PROGRESS` waits `nextWaitSeconds` and checks again. */
  outcome: 'READY' | 'ERROR' | 'TIMED_OUT' | 'IN_PROGRESS';
  vlStatus: string;
  progress: number;
  nImages: number;
  nVideos: number;
  /** For ERROR and TIMED_OUT: what happened, for a person. Empty otherwise. */
  message: string;
  polls: number;
  nextWaitSeconds: number;
  /** Status checks in a row that failed; a successful one resets it. */
  failures: number;
  checkedAt: string;
  /** The progress readings the next check draws its estimate from. */
  track: ProgressTrack;
  /** What `nextWaitSeconds` was drawn from: an estimate of the end, the backoff, or Visual Layer's pushback. */
  basis: 'estimate' | 'backoff' | 'pushback';
  /** True when Visual Layer asked to wait (429/503) instead of answering: nothing new to record. */
  throttled: boolean;
}

/** What the last decision knew of the dataset, carried over a check that learnt nothing new. */
export interface LastReading {
  vlStatus?: string;
  progress?: number;
  nImages?: number;
  nVideos?: number;
  failures?: number;
}

/**
 * Turns one status reading into the loop's next move: terminal outcomes end it, the deadline turns
 * a still-running dataset into TIMED_OUT, anything else waits as the schedule says
 * ({@link scheduleNextCheck}: until just before the progress is expected to end, or a bounded
 * backoff), never past the deadline.
 */
export function decideAfterPoll(
  status: DatasetStatus,
  state: PollState,
  limits: PollLimits,
  now: Date,
): PollDecision {
  const polls = state.polls + 1;
  let outcome: PollDecision['outcome'] = status.outcome;
  let message = '';
  if (status.outcome === 'ERROR') {
    message = status.fatalErrorMsg ?? `Visual Layer reported ${status.vlStatus} without a message`;
  } else if (status.outcome === 'IN_PROGRESS') {
    const end = endOfLoop(state.since, polls, limits, now, `still ${status.vlStatus}`);
    if (end) [outcome, message] = ['TIMED_OUT', end];
  }
  const next = scheduleNextCheck(
    state.track ?? {},
    { at: now, progress: status.progress },
    state.lastWaitSeconds,
    limits,
  );
  return {
    outcome,
    vlStatus: status.vlStatus,
    progress: status.progress ?? 0,
    nImages: status.nImages ?? 0,
    nVideos: status.nVideos ?? 0,
    message: boundText(message),
    polls,
    nextWaitSeconds: untilDeadline(next.waitSeconds, state.since, limits.maxWaitMinutes, now),
    failures: 0,
    checkedAt: now.toISOString(),
    track: next.track,
    basis: next.basis,
    throttled: false,
  };
}

/**
 * A status check Visual Layer pushed back on (429/503): a wait, not a failed check. It counts as a
 * check (the history is the same), keeps what the last reading knew and the failures in a row, and
 * waits as long as Visual Layer asked or backs off with jitter — never past the deadline, where the
 * loop ends TIMED_OUT.
 */
export function decideAfterPushback(
  pushback: Pushback,
  state: PollState,
  last: LastReading,
  limits: PollLimits,
  now: Date,
  random: () => number,
): PollDecision {
  const polls = state.polls + 1;
  const end = endOfLoop(state.since, polls, limits, now, 'asking to wait');
  const wait = pushbackWait({
    retryAfterSeconds: pushback.retryAfterSeconds,
    lastWaitSeconds: state.lastWaitSeconds,
    minSeconds: limits.minSeconds,
    capSeconds: limits.maxSeconds,
    random,
  });
  return {
    outcome: end ? 'TIMED_OUT' : 'IN_PROGRESS',
    vlStatus: last.vlStatus ?? 'UNKNOWN',
    progress: last.progress ?? 0,
    nImages: last.nImages ?? 0,
    nVideos: last.nVideos ?? 0,
    message: boundText(end ? gaveUp(pushback, state.since, now, limits.maxWaitMinutes) : describe(pushback)),
    polls,
    nextWaitSeconds: untilDeadline(wait, state.since, limits.maxWaitMinutes, now),
    failures: last.failures ?? 0,
    checkedAt: now.toISOString(),
    track: state.track ?? {},
    basis: 'pushback',
    throttled: true,
  };
}

/** Why the loop ends now although the dataset is not done: the deadline or the count of checks. */
function endOfLoop(
  since: Date,
  polls: number,
  limits: PollLimits,
  now: Date,
  doing: string,
): string | undefined {
  const elapsed = elapsedSeconds(since, now);
  if (elapsed >= limits.maxWaitMinutes * 60) {
    return (
      `Visual Layer was ${doing} after ${formatDuration(elapsed)} ` +
      `(limit maxWaitMinutes=${limits.maxWaitMinutes}); the dataset may still finish in Visual Layer`
    );
  }
  if (polls >= (limits.maxPolls ?? MAX_POLLS)) {
    return (
      `Visual Layer was ${doing} after ${polls} status checks (the most one execution makes); ` +
      'the dataset may still finish in Visual Layer'
    );
  }
  return undefined;
}
