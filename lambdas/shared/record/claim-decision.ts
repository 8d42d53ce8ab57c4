import { IN_FLIGHT_STATUSES, isRetryable } from './folder-record';

/** The parts of a folder record that decide what a new batch of objects does to the folder. */
export interface ClaimableRecord {
  /** Pipeline state; a record may lack it (then the batch is late with status `UNKNOWN`). */
  status?: string;
  /** Attempts so far; a record without it is on its first. */
  attempts?: number;
  claimedAt?: string;
  createdAt?: string;
  /** When the folder settled and its dataset creation began. */
  settledAt?: string;
  /** When Visual Layer accepted the create. */
  datasetCreatedAt?: string;
  datasetId?: string;
  claimToken?: string;
  executionArn?: string;
  /** When the last attempt ended (or, lacking that, last changed). */
  finishedAt?: string;
  updatedAt?: string;
}

/** What a batch does to its folder, given the folder's record. */
export type ClaimDecision =
  /** No record: create it, PENDING on attempt 1. */
  | { action: 'claim'; attempt: 1 }
  /** The attempt is PENDING (claimed, not yet created): start or confirm its execution. */
  | { action: 'start'; attempt: number; claimedAt: string; claimToken?: string }
  /**
   * The last attempt failed and the folder got an object since (new, or a newer write of a known
   * key): open `attempt` on the condition that the record is still on `previousAttempt`.
   */
  | { action: 'reopen'; attempt: number; previousAttempt: number; hadDataset: boolean }
  /**
   * The dataset is being created, indexed or done (or the status is unknown): nothing to start.
   * With `settledAt`, the record's object counts are made again up to that instant. With `running`,
   * the execution that should be at work: if it has ended, the folder is claimed again.
   */
  | {
      action: 'late';
      status: string;
      settledAt?: string;
      running?: { executionArn: string; claimToken?: string };
    }
  /**
   * The last attempt failed and the folder got nothing new since it ended: the batch is a replay or a
   * duplicate delivery of objects the folder already had, which never opens an attempt.
   */
  | { action: 'known'; status: string };

/**
 * Decides what a batch does to a folder: claim a folder without a record, start the PENDING
 * attempt, reopen one that ended in a retryable status if the folder got an object since that end
 * (`recordedSinceEnd`, which the caller reads from the ledger for such records only), or count the
 * batch as late. Pure: the caller reads the record and carries the decision out, conditionally, so
 * a lost race reads again.
 */
export function decideClaim(record: ClaimableRecord | undefined, recordedSinceEnd = true): ClaimDecision {
  if (!record) return { action: 'claim', attempt: 1 };
  const attempt = record.attempts ?? 1;
  if (record.status === 'PENDING') {
    return {
      action: 'start',
      attempt,
      claimedAt: record.claimedAt ?? record.createdAt ?? '',
      ...(record.claimToken ? { claimToken: record.claimToken } : {}),
    };
  }
  if (isRetryable(record.status)) {
    if (!recordedSinceEnd) return { action: 'known', status: record.status ?? 'UNKNOWN' };
    return {
      action: 'reopen',
      attempt: attempt + 1,
      previousAttempt: attempt,
      hadDataset: record.datasetId !== undefined,
    };
  }
  return {
    action: 'late',
    status: record.status ?? 'UNKNOWN',
    ...(record.settledAt ? { settledAt: record.settledAt } : {}),
    ...((IN_FLIGHT_STATUSES as readonly string[]).includes(record.status ?? '') && record.executionArn
      ? {
          running: {
            executionArn: record.executionArn,
            ...(record.claimToken ? { claimToken: record.claimToken } : {}),
          },
        }
      : {}),
  };
}
