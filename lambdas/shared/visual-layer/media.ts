import { VisualLayerConflictError, VisualLayerResponseError } from '../errors';
import type { VisualLayerClient } from './client';
import { ADOPTION_MARGIN_MS } from './create-dataset';

/** How Visual Layer answered an add_media. */
export type AddMediaAnswer = { accepted: true } | { accepted: false; busy: string };

/**
 * `POST /api/v1/dataset/{id}/add_media`, multipart, with exactly one source: `s3_uri`, the batch's
 * manifest. 202 (empty body) is accepted; 409 (another operation runs, or the dataset is not READY /
 * PARTIAL INDEX) is `busy`, to be tried again later; any other failure is thrown as the client
 * classifies it (400/403/404 permanent, 5xx/429/network transient).
 */
export async function addMedia(
  client: VisualLayerClient,
  datasetId: string,
  input: { s3Uri: string; autoReindex: boolean },
): Promise<AddMediaAnswer> {
  const id = encodeURIComponent(datasetId);
  try {
    await client.call(
      `adding media to dataset ${datasetId}`,
      'addMedia',
      `/api/v1/dataset/${id}/add_media`,
      () => {
        const form = new FormData();
        form.set('s3_uri', input.s3Uri);
        form.set('auto_reindex', String(input.autoReindex));
        return form;
      },
      true,
    );
    return { accepted: true };
  } catch (error) {
    if (error instanceof VisualLayerConflictError) return { accepted: false, busy: error.message };
    throw error;
  }
}

/** A MEDIA_ADDITION task of the task manager. */
export interface MediaTask {
  taskId: string;
  /** INITIALIZING, RUNNING, COMPLETED, FAILED or ABORTED. */
  status: string;
  startedAt: number;
  endedAt?: number;
  errorMessage?: string;
}

/** Which task is a batch's own. */
export interface TaskSearch {
  /** When the batch first posted: its task started after it (less the clock margin). */
  postedAt: Date;
  /** When the batch began: a task that had ended before is an earlier one. */
  batchStartedAt: Date;
  /** Tasks of earlier batches. */
  exclude: readonly string[];
}

/**
 * The batch's MEDIA_ADDITION task, from `GET /api/v1/tasks`: add_media answers with no id, so this is
 * how a batch learns whether a post it is unsure about was accepted, and when its media are in. The
 * earliest task of the dataset that started since the first post (less {@link ADOPTION_MARGIN_MS} of
 * clock skew), had not ended before the batch began, and is no earlier batch's.
 */
export async function findMediaTask(
  client: VisualLayerClient,
  datasetId: string,
  search: TaskSearch,
): Promise<MediaTask | undefined> {
  const since = search.postedAt.getTime() - ADOPTION_MARGIN_MS;
  const query = new URLSearchParams({
    dataset_id: datasetId,
    task_type: 'MEDIA_ADDITION',
    start_time_from: new Date(since).toISOString(),
    sort_by: 'start_time',
    sort_order: 'asc',
    page: '1',
    page_size: '50',
  });
  const body = await client.call(
    `looking for the media addition of dataset ${datasetId}`,
    'tasks',
    `/api/v1/tasks?${query}`,
  );
  const tasks = (body as { tasks?: unknown } | null)?.tasks;
  if (!Array.isArray(tasks))
    throw new VisualLayerResponseError('Visual Layer listed tasks in an unknown shape');
  const mine = tasks
    .map(readTask)
    .filter((t): t is MediaTask & { datasetId?: string; type?: string } => t !== undefined)
    .filter(
      (t) =>
        (t.type === undefined || t.type === 'MEDIA_ADDITION') &&
        (t.datasetId === undefined || t.datasetId === datasetId) &&
        t.startedAt >= since &&
        !(t.endedAt !== undefined && t.endedAt < search.batchStartedAt.getTime()) &&
        !search.exclude.includes(t.taskId),
    )
    .sort((a, b) => a.startedAt - b.startedAt);
  return mine[0];
}

function readTask(item: unknown): (MediaTask & { datasetId?: string; type?: string }) | undefined {
  const t = (item ?? {}) as Record<string, unknown>;
  const startedAt = timeOf(t.start_time);
  if (typeof t.task_id !== 'string' || typeof t.status !== 'string' || startedAt === undefined)
    return undefined;
  return {
    taskId: t.task_id,
    status: t.status.toUpperCase(),
    startedAt,
    endedAt: timeOf(t.end_time),
    errorMessage: typeof t.error_message === 'string' ? t.error_message : undefined,
    datasetId: typeof t.dataset_id === 'string' ? t.dataset_id : undefined,
    type: typeof t.task_type === 'string' ? t.task_type : undefined,
  };
}

/** Visual Layer's ISO times may carry no zone: they are UTC. */
function timeOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(at) ? undefined : at;
}
