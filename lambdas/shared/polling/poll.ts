import { boundText } from '../text';
import type { DatasetStatus } from '../visual-layer/responses';
import { MAX_POLLS } from './limits';
import { type PollBounds, type ProgressTrack, scheduleNextCheck } from './schedule';

/** Where the poll loop stands, carried in the state machine between checks. */
export interface PollState {
  /** Checks made so far, this one excluded. */
  polls: number;
  /** The wait that preceded this check, in seconds. */
  lastWaitSeconds: number;
  /** When the dataset was created; the deadline counts from here. */
  since: Date;
  /** The progress readings carried from the earlier checks. @default none */
  track?: ProgressTrack;
}

/** Poll loop limits. */
export interface PollLimits extends PollBounds {
  /** Give up (TIMED_OUT) once this many minutes have passed since creation (fractions allowed). */
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
  /** What `nextWaitSeconds` was drawn from: an estimate of the end, or the backoff. */
  basis: 'estimate' | 'backoff';
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
  const elapsedSeconds = Math.max(0, (now.getTime() - state.since.getTime()) / 1000);
  const maxWaitSeconds = limits.maxWaitMinutes * 60;
  let outcome: PollDecision['outcome'] = status.outcome;
  let message = '';
  if (status.outcome === 'ERROR') {
    message = status.fatalErrorMsg ?? `Visual Layer reported ${status.vlStatus} without a message`;
  } else if (status.outcome === 'IN_PROGRESS' && elapsedSeconds >= maxWaitSeconds) {
    outcome = 'TIMED_OUT';
    message =
      `Visual Layer was still ${status.vlStatus} after ${formatDuration(elapsedSeconds)} ` +
      `(limit maxWaitMinutes=${limits.maxWaitMinutes}); the dataset may still finish in Visual Layer`;
  } else if (status.outcome === 'IN_PROGRESS' && polls >= (limits.maxPolls ?? MAX_POLLS)) {
    outcome = 'TIMED_OUT';
    message =
      `Visual Layer was still ${status.vlStatus} after ${polls} status checks (the most one execution makes); ` +
      'the dataset may still finish in Visual Layer';
  }
  const remaining = Math.max(1, Math.ceil(maxWaitSeconds - elapsedSeconds));
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
    nextWaitSeconds: Math.min(next.waitSeconds, remaining),
    failures: 0,
    checkedAt: now.toISOString(),
    track: next.track,
    basis: next.basis,
  };
}

function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
