import { MAX_SETTLE_CHECKS } from '../polling/limits';

/** What the ledger says about a folder's objects. */
export interface FolderObjects {
  objectCount: number;
  /** Oldest and newest S3 event time among the objects. */
  firstObjectAt: string | null;
  lastObjectAt: string | null;
  /**
   * When the folder last changed: the newest event time or the newest time the folding function
   * recorded an object, whichever is later. Queued events still being recorded keep a folder busy,
   * so its dataset is not created before every object is counted.
   */
  lastActivityAt: string | null;
}

/** Whether a folder has settled, and if not, how long to wait before looking again. */
export interface SettleDecision extends FolderObjects {
  ready: boolean;
  /** Why it is ready: quiet for the quiet period, or still changing at the cap (time or checks). */
  reason: 'quiet' | 'cap' | 'waiting';
  waitSeconds: number;
  /** Settle checks made so far, this one included. */
  checks: number;
}

/** One ledger entry as the settle rules read it. */
export interface LedgerEntry {
  /** When S3 created the object (the event time). */
  objectAt?: string;
  /** When the folding function recorded it. */
  seenAt?: string;
}

/** A folder's objects, with those S3 created after a given instant counted apart. */
export interface LedgerSummary extends FolderObjects {
  /** Objects S3 created after `until`; 0 without it. */
  lateCount: number;
}

/**
 * Summarises a folder's ledger entries. With `until`, only objects S3 created at or before that
 * instant are counted (`lateCount` has the rest). Pure: the store reads the entries.
 */
export function summariseFolderObjects(entries: Iterable<LedgerEntry>, until?: string): LedgerSummary {
  const untilMs = until ? Date.parse(until) : Number.POSITIVE_INFINITY;
  let lateCount = 0;
  let objectCount = 0;
  let first: string | null = null;
  let last: string | null = null;
  let activity: string | null = null;
  for (const { objectAt: at, seenAt: seen } of entries) {
    if (at && Date.parse(at) > untilMs) {
      lateCount += 1;
      continue;
    }
    objectCount += 1;
    if (at && (first === null || at < first)) first = at;
    if (at && (last === null || at > last)) last = at;
    for (const t of [at, seen]) {
      if (t && (activity === null || Date.parse(t) > Date.parse(activity))) activity = t;
    }
  }
  return { objectCount, firstObjectAt: first, lastObjectAt: last, lastActivityAt: activity, lateCount };
}

/**
 * A folder is ready once it has been quiet (no new object, nothing being recorded) for
 * `quietSeconds`, or once it has been changing for longer than `capSeconds` since it was claimed or
 * for {@link MAX_SETTLE_CHECKS} checks (so an endless trickle still gets its dataset, and the
 * execution's history stays bounded).
 */
export function decideSettle(
  objects: FolderObjects,
  claimedAt: Date,
  limits: { quietSeconds: number; capSeconds: number; maxChecks?: number },
  now: Date,
  previousChecks = 0,
): SettleDecision {
  const checks = previousChecks + 1;
  const nowMs = now.getTime();
  const capAt = claimedAt.getTime() + limits.capSeconds * 1000;
  const lastMs = objects.lastActivityAt ? Date.parse(objects.lastActivityAt) : claimedAt.getTime();
  const quietAt = lastMs + limits.quietSeconds * 1000;
  const base = { ...objects, checks, waitSeconds: 0 };
  if (objects.objectCount > 0 && nowMs >= quietAt) return { ...base, ready: true, reason: 'quiet' };
  if (nowMs >= capAt || checks >= (limits.maxChecks ?? MAX_SETTLE_CHECKS)) {
    return { ...base, ready: true, reason: 'cap' };
  }
  const waitSeconds = Math.max(1, Math.ceil((Math.min(quietAt, capAt) - nowMs) / 1000));
  return { ...base, ready: false, reason: 'waiting', waitSeconds };
}
