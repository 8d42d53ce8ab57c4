import { VisualLayerResponseError } from '../errors';

/** Where a dataset is, as far as the pipeline is concerned. */
export type DatasetOutcome = 'READY' | 'ERROR' | 'IN_PROGRESS';

/** A dataset's status, read from any of the response variants Visual Layer sends. */
export interface DatasetStatus {
  /** Visual Layer's own status word, normalised to upper case with underscores (`READ_ONLY`). */
  vlStatus: string;
  outcome: DatasetOutcome;
  /** True when `vlStatus` is not a word the pipeline knows; it is then treated as in progress. */
  unknownStatus: boolean;
  progress: number | null;
  nImages: number | null;
  nVideos: number | null;
  fatalErrorMsg: string | null;
}

const READY = new Set(['READY']);
const FAILED = new Set(['ERROR', 'FATAL_ERROR']);
const IN_PROGRESS = new Set([
  // status_new vocabulary
  'DRAFT',
  'INDEXING',
  'READ_ONLY',
  'PARTIAL_INDEX',
  // legacy status vocabulary
  'NEW',
  'PRE_PROCESSING',
  'INITIALIZING',
  'UPLOADING',
  'SAVING',
  'ENRICHING',
  'UPDATING',
]);

/** `"read only"` → `READ_ONLY`: upper case, runs of spaces or dashes as one underscore. */
export function normaliseStatusWord(raw: string): string {
  return raw
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
}

/** Maps a normalised status word to the pipeline's outcome. */
export function outcomeOf(vlStatus: string): { outcome: DatasetOutcome; unknownStatus: boolean } {
  if (READY.has(vlStatus)) return { outcome: 'READY', unknownStatus: false };
  if (FAILED.has(vlStatus)) return { outcome: 'ERROR', unknownStatus: false };
  return { outcome: 'IN_PROGRESS', unknownStatus: !IN_PROGRESS.has(vlStatus) };
}

/**
 * Reads `GET /api/v1/dataset/{id}`: `status_new` first, then the legacy `status`.
 *
 * @throws VisualLayerResponseError when the body is not an object or carries no status at all.
 */
export function parseDatasetStatus(body: unknown): DatasetStatus {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new VisualLayerResponseError(
      'Visual Layer answered the status request with something other than an object',
    );
  }
  const record = body as Record<string, unknown>;
  const raw = firstString(record.status_new, record.status);
  if (raw === undefined) {
    throw new VisualLayerResponseError(
      'Visual Layer answered the status request without status_new or status',
    );
  }
  const vlStatus = normaliseStatusWord(raw);
  return {
    vlStatus,
    ...outcomeOf(vlStatus),
    progress: numberOrNull(record.progress),
    nImages: numberOrNull(record.n_images),
    nVideos: numberOrNull(record.n_videos),
    fatalErrorMsg: firstString(record.fatal_error_msg) ?? null,
  };
}

function firstString(...values: unknown[]): string | undefined {
  for (const v of values) if (typeof v === 'string' && v.trim() !== '') return v;
  return undefined;
}

function numberOrNull(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return null;
}
