/**
 * The poll schedule: the one place that says how long to wait between status checks. While the
 * dataset's progress moves steadily, the wait follows an estimate of when it reaches 100 %; without a
 * usable estimate (no progress, stalled, going backwards, jumping) it is a bounded backoff. The
 * check-status function follows it, and the configuration check counts the checks the backoff needs
 * to reach the deadline (the worst case: an estimate never asks for more checks than it saves).
 */

/** Bounds of the poll interval, in seconds. `maxSeconds` caps only the backoff. */
export interface PollBounds {
  minSeconds: number;
  maxSeconds: number;
}

/** One status reading that carried a progress, as the state machine carries it between checks. */
export interface ProgressReading {
  /** When it was read (ISO 8601). */
  at: string;
  /** Visual Layer's `progress`, 0–100. */
  progress: number;
}

/**
 * The readings the estimate is drawn from: where the current steady run of progress began
 * (`baseline`) and the reading before this one (`previous`). Empty before the first reading.
 */
export interface ProgressTrack {
  baseline?: ProgressReading;
  previous?: ProgressReading;
}

/** The wait before the next check, and what it was drawn from. */
export interface ScheduledWait {
  waitSeconds: number;
  /** `estimate`: from the progress readings; `backoff`: no usable estimate. */
  basis: 'estimate' | 'backoff';
  /** The readings to carry to the next check. */
  track: ProgressTrack;
}

/**
 * Share of the estimated time left that is waited before looking again: the estimate is checked
 * half-way, so an error in it is corrected long before it matters, and the checks thin out
 * logarithmically over a long run.
 */
export const ESTIMATE_SHARE = 0.5;

/**
 * How far a reading may stray from the line drawn by the earlier ones and still fit it: two
 * progress points (Visual Layer reports whole percents, each reading may be off by one) plus half
 * of the progress the line expected. Farther is a stall or a jump, and the run starts over.
 */
const TOLERANCE_POINTS = 2;
const TOLERANCE_SHARE = 0.5;

/**
 * The bounded backoff: 1.5× the last wait, never below the minimum nor above the maximum. Used when
 * there is no usable estimate.
 */
export function nextPollInterval(lastSeconds: number, bounds: PollBounds): number {
  const grown = Math.ceil(Math.max(lastSeconds, bounds.minSeconds) * 1.5);
  return Math.min(bounds.maxSeconds, Math.max(bounds.minSeconds, grown));
}

/**
 * The wait before the next check, given this reading. A progress that keeps to the line of the
 * readings since its run began gives an estimate of when it reaches 100 %, drawn on the side of
 * "sooner" (the fastest rate the whole-percent readings allow); the next check comes after
 * {@link ESTIMATE_SHARE} of the time left, never sooner than `minSeconds`, so the last one lands at
 * most `minSeconds` after the end. A missing progress, one that stalls, goes backwards, jumps or
 * reaches 100 without the dataset being ready gives no estimate: the bounded backoff applies and the
 * run starts over from this reading.
 */
export function scheduleNextCheck(
  track: ProgressTrack,
  reading: { at: Date; progress: number | null | undefined },
  lastWaitSeconds: number,
  bounds: PollBounds,
): ScheduledWait {
  const backoff = (next: ProgressTrack): ScheduledWait => ({
    waitSeconds: nextPollInterval(lastWaitSeconds, bounds),
    basis: 'backoff',
    track: next,
  });
  const { progress } = reading;
  if (typeof progress !== 'number' || !Number.isFinite(progress) || progress < 0 || progress >= 100) {
    return backoff({});
  }
  const current: ProgressReading = { at: reading.at.toISOString(), progress };
  const { baseline, previous } = track;
  if (!baseline || !previous || !fits(baseline, previous, current)) {
    return backoff({ baseline: current, previous: current });
  }
  const gained = progress - baseline.progress;
  if (gained <= 0) {
    // Nothing has moved yet since the run began: the run begins at the latest reading.
    return backoff({ baseline: current, previous: current });
  }
  const elapsed = seconds(current) - seconds(baseline);
  // Whole percents: the true gain may be up to one point more, and what is left one point less.
  const fastestRate = (gained + 1) / elapsed;
  const soonestLeft = Math.max(0, 99 - progress) / fastestRate;
  const waitSeconds = Math.max(bounds.minSeconds, Math.ceil(soonestLeft * ESTIMATE_SHARE));
  return { waitSeconds, basis: 'estimate', track: { baseline, previous: current } };
}

/**
 * Whether `current` keeps to the line drawn from `baseline` to `previous`. A run with a single
 * reading so far fits any reading that does not go backwards.
 */
function fits(baseline: ProgressReading, previous: ProgressReading, current: ProgressReading): boolean {
  const gained = current.progress - previous.progress;
  if (gained < 0) return false;
  const runSeconds = seconds(previous) - seconds(baseline);
  if (runSeconds <= 0 || previous.progress === baseline.progress) return true;
  const rate = (previous.progress - baseline.progress) / runSeconds;
  const expected = rate * (seconds(current) - seconds(previous));
  return Math.abs(gained - expected) <= TOLERANCE_POINTS + TOLERANCE_SHARE * expected;
}

/**
 * The track as the state machine hands it back: readings that are not a time and a progress in
 * 0–100 are dropped (the estimate then starts over), never trusted.
 */
export function readProgressTrack(value: unknown): ProgressTrack {
  const track: ProgressTrack = {};
  if (value === null || typeof value !== 'object') return track;
  const { baseline, previous } = value as Record<string, unknown>;
  const b = readReading(baseline);
  const p = readReading(previous);
  if (b && p) Object.assign(track, { baseline: b, previous: p });
  return track;
}

function readReading(value: unknown): ProgressReading | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { at, progress } = value as Record<string, unknown>;
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return undefined;
  if (typeof progress !== 'number' || !(progress >= 0 && progress <= 100)) return undefined;
  return { at, progress };
}

function seconds(reading: ProgressReading): number {
  return Date.parse(reading.at) / 1000;
}
