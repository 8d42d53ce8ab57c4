/**
 * An append batch: objects that reached a READY folder after its dataset was created, sent to that
 * dataset with one `add_media`. The folder record holds the current or last batch (`append`) and the
 * last {@link KEPT_BATCHES} (`appends`); the record's `status` stays READY through all of them.
 */

/** Where a batch is: collecting (settling), sending (add_media), indexing, or ended. */
export type BatchStatus = 'COLLECTING' | 'SENDING' | 'INDEXING' | 'DONE' | 'FAILED';

/** Statuses of a batch that has not ended: its execution is at work. */
export const IN_FLIGHT_BATCH: readonly BatchStatus[] = ['COLLECTING', 'SENDING', 'INDEXING'];

/** Batches the record keeps in `appends`. */
export const KEPT_BATCHES = 20;

/** Objects one batch sends at most; the rest are pending for the next. */
export const MAX_BATCH_OBJECTS = 10_000;

/** A batch as the record's `append` holds it. */
export interface AppendBatch {
  /** 2, 3, … (1 is the create). */
  generation: number;
  status: BatchStatus;
  /** Objects the batch sends (its manifest's lines). */
  count: number;
  /** When the batch was claimed. */
  startedAt: string;
  finishedAt?: string;
  error?: { code: string; message: string };
  /** Names the batch's execution (with the folder); a new one is drawn when that execution is gone. */
  token: string;
  executionArn: string;
  /** When the current token was drawn. */
  claimedAt: string;
  /** `s3://` URI of the manifest, once written: every try of the batch sends exactly its lines. */
  manifestUri?: string;
  /** Set before the first add_media: a try after it asks the task manager before posting again. */
  firstPostAt?: string;
  /** Visual Layer's MEDIA_ADDITION task of the batch, once found. */
  taskId?: string;
  /** Objects arrived while the batch was at work: the next batch starts when it ends. */
  more?: boolean;
}

/** One ended batch as `appends` keeps it. */
export type BatchSummary = Pick<
  AppendBatch,
  'generation' | 'status' | 'count' | 'startedAt' | 'finishedAt' | 'error' | 'taskId'
>;

/** The parts of the folder record an append reads. */
export interface AppendableRecord {
  folderUri: string;
  status?: string;
  datasetId?: string;
  /** Batches so far, the create included. */
  generation?: number;
  /** When Visual Layer accepted the create: objects S3 created later are not in the dataset. */
  datasetCreatedAt?: string;
  settledAt?: string;
  claimedAt?: string;
  append?: AppendBatch;
  appends?: BatchSummary[];
}

/** Whether a batch is still at work. */
export function isInFlight(batch: AppendBatch | undefined): batch is AppendBatch {
  return batch !== undefined && IN_FLIGHT_BATCH.includes(batch.status);
}

/**
 * The instant that splits a folder's objects: those S3 created at or before it were in the folder when
 * Visual Layer read it for the create; later ones are appended. Records made before `datasetCreatedAt`
 * existed fall back to when the folder settled or was claimed.
 */
export function cutOf(record: AppendableRecord): string | undefined {
  return record.datasetCreatedAt ?? record.settledAt ?? record.claimedAt;
}

/** Whether an object S3 created at `objectAt` came after the cut (an unknown time counts as after). */
export function isAfterCut(objectAt: string, cut: string | undefined): boolean {
  if (cut === undefined) return true;
  const at = Date.parse(objectAt);
  return Number.isNaN(at) || at > Date.parse(cut);
}

/** The summary `appends` keeps of an ended batch. */
export function summaryOf(batch: AppendBatch): BatchSummary {
  const { generation, status, count, startedAt, finishedAt, error, taskId } = batch;
  return { generation, status, count, startedAt, finishedAt, error, taskId };
}
