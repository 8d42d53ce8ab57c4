/**
 * One deadline per attempt: `maxWaitMinutes` counted from the attempt's start. Waits for Visual Layer
 * (Retry-After, backoff) and status checks all count against it; whoever decides the next wait asks
 * here how much time is left.
 */

/** Seconds left before the attempt's deadline; zero or less once it has passed. */
export function secondsLeft(since: Date, maxWaitMinutes: number, now: Date): number {
  return maxWaitMinutes * 60 - elapsedSeconds(since, now);
}

/** Seconds since the attempt began (never negative: clocks may disagree by a little). */
export function elapsedSeconds(since: Date, now: Date): number {
  return Math.max(0, (now.getTime() - since.getTime()) / 1000);
}

/** A wait shortened so that it ends at the deadline at the latest (and lasts at least a second). */
export function untilDeadline(waitSeconds: number, since: Date, maxWaitMinutes: number, now: Date): number {
  return Math.max(1, Math.min(waitSeconds, Math.ceil(secondsLeft(since, maxWaitMinutes, now))));
}

/** `95 s`, `12 min`, `3.5 h`: how long something lasted, for a person. */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
