import { nextPollInterval } from './schedule';

/**
 * Bounds that keep every execution far below Step Functions' 25,000-event history limit, shared by
 * the functions that enforce them and the configuration that checks a deployment fits.
 *
 * One status check (Wait → CheckStatus → Choice → RecordProgress) writes at most 14 history events,
 * and so does one settle check (SettleFolder → Choice → RecordCollecting → Wait). So
 * 700 × 14 + 900 × 14 = 22,400 events, plus a few hundred for the rest of the run, stays under 25,000.
 */
export const MAX_POLLS = 900;
/** Settle checks before a folder that keeps changing is created anyway (like the time cap). */
export const MAX_SETTLE_CHECKS = 700;
/**
 * Waits one create may make when Visual Layer pushes back (429/503) before the attempt gives up. The
 * backoff between them is long enough that the deadline comes first (`createWaitCap`).
 */
export const MAX_CREATE_WAITS = 100;
/**
 * Calls that list a folder into the ledger after a marker (each reads up to `PAGES_PER_CALL` pages of
 * 1,000 keys), at most: a folder of more than 500,000 objects is not listed to its end.
 */
export const MAX_LISTING_CALLS = 100;
/** Seconds a marker's listing may take from its first call: its loop's window in the state machine's timeout. */
export const LISTING_WINDOW_SECONDS = 3600;
/** Tries an append batch makes while Visual Layer answers 409 (another operation runs), at most. */
export const MAX_BUSY_TRIES = 100;
/** Status checks in a row that may fail transiently before the folder is FAILED/UNREACHABLE. */
export const MAX_CONSECUTIVE_POLL_FAILURES = 10;
/** Step Functions Standard history limit. */
export const HISTORY_EVENT_LIMIT = 25_000;

/**
 * Status checks needed to reach the `maxWaitMinutes` deadline with the bounded backoff
 * ({@link nextPollInterval}), the first wait being `minSeconds`: the schedule of a dataset that
 * reports no usable progress. A steady progress needs far fewer; whatever Visual Layer reports, the
 * check-status function ends the loop at {@link MAX_POLLS}.
 */
export function pollsToDeadline(minSeconds: number, maxSeconds: number, maxWaitMinutes: number): number {
  const deadline = maxWaitMinutes * 60;
  let elapsed = 0;
  let wait = minSeconds;
  let polls = 0;
  while (elapsed < deadline) {
    elapsed += wait;
    polls += 1;
    wait = nextPollInterval(wait, { minSeconds, maxSeconds });
    if (polls > 10 * MAX_POLLS) break;
  }
  return polls;
}
