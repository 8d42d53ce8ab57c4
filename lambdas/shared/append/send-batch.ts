import { VisualLayerConflictError } from '../errors';
import { markSent } from '../ledger/pending';
import { MAX_BUSY_TRIES } from '../polling/limits';
import { nextPollInterval } from '../polling/schedule';
import { addMedia, findMediaTask, type MediaTask } from '../visual-layer/media';
import type { AppendableRecord, AppendBatch } from './batch';
import { MAX_BATCH_OBJECTS } from './batch';
import type { BatchContext, BatchRef } from './batch-context';
import { keysOfManifest, manifestKey, manifestText } from './manifest';

/** What the state machine does next with a batch. */
export type SendResult =
  /** Visual Layer has the batch: poll the dataset. */
  | { sent: true; firstTryAt: string; count: number }
  /** Visual Layer is busy (409): wait `waitSeconds`, then send again (`tries` so far). */
  | { sent: false; reason: 'busy'; waitSeconds: number; firstTryAt: string; tries: number }
  /** Nothing left to send, or the batch is no longer this execution's: end it. */
  | { sent: false; reason: 'empty' | 'superseded'; firstTryAt: string };

/** Where a send stands: when the batch first tried, and the last wait after a 409. */
export interface SendState {
  /** Empty or absent on the first try. */
  firstTryAt?: string;
  lastWaitSeconds?: number;
  /** Tries Visual Layer answered busy. */
  tries?: number;
}

/**
 * Sends a batch, once: writes its manifest (the pending objects after the cut, fixed for every try of
 * the batch), records that a post is about to happen, and posts add_media — unless an earlier try
 * may have posted (a timeout, a reset, a 5xx), in which case it first asks the task manager for the
 * batch's MEDIA_ADDITION task and posts only when there is none. Once Visual Layer has the batch, its
 * objects are marked with its generation in the ledger. A 409 is waited out until `maxWaitMinutes`
 * after the first try; other refusals are thrown (the batch fails, the folder stays READY).
 */
export async function sendBatch(context: BatchContext, ref: BatchRef, state: SendState): Promise<SendResult> {
  const firstTryAt = state.firstTryAt || context.now();
  const { record, batch } = await context.current(ref);
  if (!record || !batch) return { sent: false, reason: 'superseded', firstTryAt };
  const keys = await manifestKeys(context, ref, record, batch);
  if (keys === undefined) return { sent: false, reason: 'superseded', firstTryAt };
  if (keys.length === 0) return { sent: false, reason: 'empty', firstTryAt };
  const sending = (await context.current(ref)).batch;
  if (!sending) return { sent: false, reason: 'superseded', firstTryAt };
  // INDEXING is written only once Visual Layer has the batch.
  let task: MediaTask | undefined;
  if (sending.status !== 'INDEXING') {
    task = sending.firstPostAt ? await findTask(context, ref, record, sending) : undefined;
    if (!task) {
      const posting = await context.update(ref, (b) => ({
        ...b,
        firstPostAt: b.firstPostAt ?? context.now(),
      }));
      if (!posting) return { sent: false, reason: 'superseded', firstTryAt };
      const answer = await addMedia(context.options.client, ref.datasetId, {
        s3Uri: posting.manifestUri as string,
        autoReindex: context.options.reindex === 'auto',
      });
      if (!answer.accepted) return busy(context, firstTryAt, state, answer.busy);
    }
  }
  const { dynamodb, ledgerTable } = context.options;
  await markSent(dynamodb, ledgerTable, ref.folderUri, keys, ref.generation);
  const indexing = await context.update(ref, (b) => ({
    ...b,
    status: 'INDEXING',
    taskId: task?.taskId ?? b.taskId,
  }));
  if (!indexing) return { sent: false, reason: 'superseded', firstTryAt };
  return { sent: true, firstTryAt, count: keys.length };
}

/**
 * The keys the batch sends: its manifest's, when written by an earlier try; otherwise the folder's
 * objects to send now (at most {@link MAX_BATCH_OBJECTS}), written as the manifest and recorded with
 * the batch (SENDING). Undefined when the batch is no longer this execution's.
 */
async function manifestKeys(
  context: BatchContext,
  ref: BatchRef,
  record: AppendableRecord,
  batch: AppendBatch,
): Promise<string[] | undefined> {
  const key = manifestKey(ref.folderUri, ref.datasetId, ref.generation);
  const bucket = ref.folderUri.slice('s3://'.length).split('/')[0] ?? '';
  if (batch.manifestUri) return keysOfManifest((await context.manifests.read(key)) ?? '', bucket);
  const keys = (await context.toSend(record, true)).slice(0, MAX_BATCH_OBJECTS).map((o) => o.key);
  if (keys.length === 0) return [];
  const manifestUri = await context.manifests.write(key, manifestText(bucket, keys));
  const sending = await context.update(ref, (b) => ({
    ...b,
    status: 'SENDING',
    count: keys.length,
    manifestUri,
  }));
  return sending ? keys : undefined;
}

/** The batch's task, for a batch that may have posted before (ids of earlier batches' tasks excluded). */
function findTask(
  context: BatchContext,
  ref: BatchRef,
  record: AppendableRecord,
  batch: AppendBatch,
): Promise<MediaTask | undefined> {
  return findMediaTask(context.options.client, ref.datasetId, {
    postedAt: new Date(batch.firstPostAt as string),
    batchStartedAt: new Date(batch.startedAt),
    exclude: (record.appends ?? []).flatMap((a) => (a.taskId ? [a.taskId] : [])),
  });
}

/** A 409: wait and try again, until the deadline or {@link MAX_BUSY_TRIES}; then the batch fails (CONFLICT). */
function busy(context: BatchContext, firstTryAt: string, state: SendState, said: string): SendResult {
  const { polling } = context.options;
  const elapsed = (context.clock().getTime() - Date.parse(firstTryAt)) / 1000;
  const remaining = polling.maxWaitMinutes * 60 - elapsed;
  const tries = (state.tries ?? 0) + 1;
  if (remaining <= 0 || tries >= MAX_BUSY_TRIES) {
    throw new VisualLayerConflictError(
      `Visual Layer kept refusing the batch for ${Math.round(elapsed)} s and ${tries} tries (limit maxWaitMinutes=${polling.maxWaitMinutes}): ${said}`,
    );
  }
  const next = nextPollInterval(state.lastWaitSeconds ?? 0, polling);
  const waitSeconds = Math.max(1, Math.min(next, Math.ceil(remaining)));
  return { sent: false, reason: 'busy', waitSeconds, firstTryAt, tries };
}
