/**
 * What Visual Layer's answers mean: error bodies and HTTP statuses become the pipeline's errors, and
 * dataset status bodies become a {@link DatasetStatus}. Pure: the client does the HTTP.
 */

import { currentTime } from '../clock';
import {
  type PipelineError,
  VisualLayerAuthError,
  VisualLayerBadRequestError,
  VisualLayerConflictError,
  VisualLayerForbiddenError,
  VisualLayerNotFoundError,
  VisualLayerResponseError,
  VisualLayerTransientError,
} from '../errors';
import { cleanText } from '../text';

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
  // Visual Layer's words go into state and records: bounded, and without credentials it may echo.
  const vlStatus = cleanText(normaliseStatusWord(raw), MAX_STATUS_WORD);
  const fatalErrorMsg = firstString(record.fatal_error_msg);
  return {
    vlStatus,
    ...outcomeOf(vlStatus),
    progress: numberOrNull(record.progress),
    nImages: numberOrNull(record.n_images),
    nVideos: numberOrNull(record.n_videos),
    fatalErrorMsg: fatalErrorMsg === undefined ? null : cleanText(fatalErrorMsg),
  };
}

/** Status words are short; a longer one is still shown, cut, as an unknown word. */
const MAX_STATUS_WORD = 200;

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

/**
 * Turns a Visual Layer error body into one readable line. Accepts every documented shape:
 * `{"detail": "text"}`, `{"detail": [{"loc": [...], "msg": "..."}]}` (422) and the legacy
 * `{"status": "error", "message": "..."}`. Field *values* the server echoes back (`input`) are left out,
 * and so is any credential the words echo (`redactSecrets`).
 */
export function describeErrorBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() ? truncate(body.trim()) : undefined;
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  const detail = record.detail;
  if (typeof detail === 'string' && detail.trim()) return truncate(detail.trim());
  if (Array.isArray(detail)) {
    const parts = detail.map(describeValidationItem).filter((p): p is string => Boolean(p));
    if (parts.length > 0) return truncate(parts.join('; '));
  }
  if (detail && typeof detail === 'object' && !Array.isArray(detail)) {
    const nested = describeErrorBody(detail);
    if (nested) return nested;
  }
  for (const key of ['message', 'error', 'msg'] as const) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) return truncate(value.trim());
  }
  return undefined;
}

function describeValidationItem(item: unknown): string | undefined {
  if (typeof item === 'string') return item;
  if (item === null || typeof item !== 'object') return undefined;
  const { loc, msg } = item as { loc?: unknown; msg?: unknown };
  const where = Array.isArray(loc) ? loc.filter((p) => p !== 'body').join('.') : undefined;
  if (typeof msg !== 'string') return where ? `${where}: invalid` : undefined;
  return where ? `${where}: ${msg}` : msg;
}

const MAX_MESSAGE = 500;

function truncate(text: string): string {
  return cleanText(text, MAX_MESSAGE);
}

/** What the client knows about a failed HTTP exchange, before classification. */
export interface HttpFailure {
  status: number;
  body: unknown;
  retryAfter?: string | null;
  /** What was being done, for the message: "creating dataset \"x\"". */
  action: string;
}

/**
 * Classifies a non-2xx answer from Visual Layer: 5xx and 429 are transient (502/503/504 also
 * ambiguous: a gateway may have passed the request on), 401 is an auth failure, the other 4xx are
 * permanent and keep Visual Layer's own words.
 */
export function classifyHttpError(failure: HttpFailure): PipelineError {
  const { status, action } = failure;
  const said = describeErrorBody(failure.body);
  const suffix = said ? `: ${said}` : '';
  if (status === 429 || status >= 500) {
    const ambiguous = status === 502 || status === 503 || status === 504;
    return new VisualLayerTransientError(
      `Visual Layer answered ${status} while ${action}${suffix}`,
      status,
      parseRetryAfter(failure.retryAfter),
      ambiguous,
    );
  }
  if (status === 401) {
    return new VisualLayerAuthError(
      `Visual Layer refused the credentials (401) while ${action}${suffix}. ` +
        'Check the API key and secret in the credentials secret (authentication failed).',
    );
  }
  if (status === 403) {
    return new VisualLayerForbiddenError(
      `Visual Layer refused ${action} (403)${suffix}. Check the account's permissions and plan limits.`,
    );
  }
  if (status === 404) {
    return new VisualLayerNotFoundError(`Visual Layer found nothing while ${action} (404)${suffix}`);
  }
  if (status === 409) {
    return new VisualLayerConflictError(`Visual Layer reported a conflict while ${action} (409)${suffix}`);
  }
  return new VisualLayerBadRequestError(
    `Visual Layer rejected the request while ${action} (${status})${suffix}`,
    status,
  );
}

/** `Retry-After` as seconds: a delay in seconds or an HTTP date. Undefined when absent or unusable. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = currentTime().getTime(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
