import { FAILURE_CODES, VisualLayerForbiddenError, VisualLayerNotFoundError } from '../errors';
import { countInDataset } from '../ledger/pending';
import type { PollDecision } from '../polling/poll';
import { boundText } from '../text';
import { findMediaTask, type MediaTask } from '../visual-layer/media';
import { type AppendBatch, cutOf, KEPT_BATCHES, summaryOf } from './batch';
import type { BatchContext, BatchRef } from './batch-context';

/** What ended a batch early, as the state machine caught it: the error's name and cause. */
export interface BatchFailure {
  Error?: string;
  Cause?: string;
}

/** What ended the batch, as its last step is given it. */
export interface FinishInput {
  poll?: Pick<
    PollDecision,
    'outcome' | 'vlStatus' | 'progress' | 'nImages' | 'nVideos' | 'message' | 'polls'
  >;
  failure?: BatchFailure;
  /** Whether the next batch waits for the folder to be quiet (quiet trigger). */
  settleNext: boolean;
}

/** The batch's end, for the state machine and the `Folder Objects Appended` event. */
export interface FinishResult {
  /** WAIT: not over yet, check again; EMPTY / SUPERSEDED: end without an event. */
  status: 'DONE' | 'FAILED' | 'WAIT' | 'EMPTY' | 'SUPERSEDED';
  generation: number;
  /** Objects the batch gave Visual Layer. */
  added: number;
  error?: { code: string; message: string };
}

/** Checks after the dataset looked done before a batch whose task the task manager does not list is taken as done. */
export const CHECKS_WITHOUT_TASK = 3;

export type End = { status: 'DONE' | 'FAILED'; error?: { code: string; message: string }; task?: MediaTask };

/**
 * Ends a batch: decides how it ended (a failure caught on the way; the dataset's status; for a
 * dataset that looks done, the batch's MEDIA_ADDITION task, which must have ended too), records it —
 * the record's `append`, `appends` (the last {@link KEPT_BATCHES}), `objectCount` and Visual Layer's
 * reading; the folder stays READY — and starts the next batch when objects are pending (after a
 * failed batch, only when objects arrived during it).
 */
export async function finishBatch(
  context: BatchContext,
  ref: BatchRef,
  input: FinishInput,
): Promise<FinishResult> {
  const base = { generation: ref.generation, added: 0 };
  for (let round = 0; round < 4; round += 1) {
    const { record, batch } = await context.current(ref);
    if (!record || !batch) return { ...base, status: 'SUPERSEDED' };
    const empty = batch.count === 0 && !batch.manifestUri;
    const earlier = (record.appends ?? []).flatMap((a) => (a.taskId ? [a.taskId] : []));
    const end = empty ? ({ status: 'DONE' } as End) : await decideEnd(context, ref, batch, input, earlier);
    if (end === 'WAIT') return { ...base, status: 'WAIT' };
    const final: AppendBatch = {
      ...batch,
      status: end.status,
      finishedAt: context.now(),
      error: end.error,
      taskId: end.task?.taskId ?? batch.taskId,
    };
    const { poll } = input;
    const written = await context.claims.records.replace(ref.folderUri, batch, final, context.now(), {
      appends: [...(record.appends ?? []), summaryOf(final)].slice(-KEPT_BATCHES),
      objectCount: await countInDataset(
        context.options.dynamodb,
        context.options.ledgerTable,
        ref.folderUri,
        cutOf(record),
      ),
      vlStatus: poll?.vlStatus,
      progress: poll?.progress,
      nImages: poll?.nImages,
      nVideos: poll?.nVideos,
    });
    if (!written) continue;
    // After a failed batch only objects that arrived during it start another: a refusal (403) does not loop.
    if (final.status === 'DONE' || final.more)
      await context.next(ref.folderUri, input.settleNext, final.more);
    if (empty) return { ...base, status: 'EMPTY' };
    // Visual Layer had the batch once it was INDEXING, whatever came after.
    return {
      ...base,
      status: end.status,
      added: batch.status === 'INDEXING' ? batch.count : 0,
      error: end.error,
    };
  }
  throw new Error(
    `could not record the end of the append batch of ${ref.folderUri}: its record kept changing`,
  );
}

async function decideEnd(
  context: BatchContext,
  ref: BatchRef,
  batch: AppendBatch,
  input: FinishInput,
  earlier: string[],
): Promise<End | 'WAIT'> {
  const early = endBeforeTask(input);
  if (early) return early;
  return endWithTask(await batchTask(context, ref, batch, earlier), input.poll?.polls ?? 0);
}

const failed = (code: string, message: string): End => ({
  status: 'FAILED',
  error: { code, message: boundText(message) },
});

/**
 * How a batch ended when that needs no task lookup: a failure caught on the way (its error's code),
 * Visual Layer's ERROR, the deadline. Undefined when the dataset looks done: its task decides.
 */
export function endBeforeTask(input: Pick<FinishInput, 'poll' | 'failure'>): End | undefined {
  if (input.failure?.Error) {
    // TIMED_OUT: the batch got no slot of the gate before its deadline.
    const code =
      FAILURE_CODES[input.failure.Error as keyof typeof FAILURE_CODES] ??
      (input.failure.Error === 'TIMED_OUT' ? 'TIMED_OUT' : 'INTERNAL');
    return failed(code, messageOf(input.failure));
  }
  const { poll } = input;
  if (!poll || poll.outcome === 'IN_PROGRESS')
    return failed('INTERNAL', 'the batch ended before its dataset was done');
  if (poll.outcome === 'ERROR') return failed('VL_ERROR', poll.message);
  if (poll.outcome === 'TIMED_OUT') return failed('TIMED_OUT', poll.message);
  return undefined;
}

/**
 * How a batch whose dataset looks done ended, by its MEDIA_ADDITION task: still running → check again
 * (WAIT); failed or aborted → FAILED; ended → DONE. A task the manager does not list yet waits for
 * {@link CHECKS_WITHOUT_TASK} checks; an account that may not read the task manager (`unknown`) goes by
 * the dataset's status alone.
 */
export function endWithTask(task: MediaTask | undefined | 'unknown', polls: number): End | 'WAIT' {
  if (task === 'unknown') return { status: 'DONE' };
  if (task && (task.status === 'INITIALIZING' || task.status === 'RUNNING')) return 'WAIT';
  if (task && (task.status === 'FAILED' || task.status === 'ABORTED')) {
    return failed(
      'VL_ERROR',
      `Visual Layer's MEDIA_ADDITION task ${task.status}: ${task.errorMessage ?? 'no message'}`,
    );
  }
  // A task not listed yet: the dataset may not have started on the batch. A few more checks.
  if (!task && polls < CHECKS_WITHOUT_TASK) return 'WAIT';
  return { status: 'DONE', task };
}

/** The batch's task; `unknown` when the account may not read the task manager. */
async function batchTask(
  context: BatchContext,
  ref: BatchRef,
  batch: AppendBatch,
  exclude: string[],
): Promise<MediaTask | undefined | 'unknown'> {
  try {
    return await findMediaTask(context.options.client, ref.datasetId, {
      postedAt: new Date(batch.firstPostAt ?? batch.startedAt),
      batchStartedAt: new Date(batch.startedAt),
      exclude,
    });
  } catch (error) {
    if (error instanceof VisualLayerForbiddenError || error instanceof VisualLayerNotFoundError)
      return 'unknown';
    throw error;
  }
}

/** The message of a caught error: a Lambda error's `errorMessage`, or the cause as it is. */
function messageOf(failure: BatchFailure): string {
  const cause = failure.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a Step Functions error's cause is text
  }
  return cause || `the batch failed with ${failure.Error ?? 'an unknown error'}`;
}
