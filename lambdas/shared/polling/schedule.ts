/**
 * The adaptive poll schedule: the one place that says how long to wait between status checks. The
 * check-status function follows it, and the configuration check counts the checks it needs to reach
 * the deadline with it.
 */

/** Bounds of the adaptive poll interval, in seconds. */
export interface PollBounds {
  minSeconds: number;
  maxSeconds: number;
}

/**
 * The wait before the next status check: 1.5× the last one, never below the minimum nor above the
 * maximum. Short runs are noticed quickly; a run of hours costs few checks.
 */
export function nextPollInterval(lastSeconds: number, bounds: PollBounds): number {
  const grown = Math.ceil(Math.max(lastSeconds, bounds.minSeconds) * 1.5);
  return Math.min(bounds.maxSeconds, Math.max(bounds.minSeconds, grown));
}
