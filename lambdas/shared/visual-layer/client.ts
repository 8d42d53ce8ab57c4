import { VisualLayerBadRequestError, VisualLayerResponseError, VisualLayerTransientError } from '../errors';
import {
  classifyHttpError,
  type DatasetStatus,
  describeErrorBody,
  normaliseStatusWord,
  parseDatasetStatus,
  parseRetryAfter,
} from './responses';

/** Supplies the `Authorization` header; `undefined` sends none (self-hosted installs). */
export interface AuthHeaderSource {
  header(options: { fresh: boolean }): Promise<string | undefined>;
}

/** A base URL without the slashes it may end with: `https://host/` → `https://host`. */
export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** How to reach Visual Layer. */
export interface VisualLayerClientOptions {
  /** `https://app.visual-layer.com`, or a self-hosted `http(s)://host:port`. No trailing `/api/v1`. */
  baseUrl: string;
  auth: AuthHeaderSource;
  /** Abort a request after this many milliseconds. */
  timeoutMs: number;
  /** Injected in tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * A 429 whose `Retry-After` is at most this many seconds is waited out and tried again once, here;
   * a longer one is left to the state machine's retry. @default 10
   */
  maxRetryAfterSeconds?: number;
}

/** A dataset as listed by `GET /api/v1/datasets`. */
export interface DatasetSummary {
  id: string;
  displayName: string;
  /** Normalised `status_new` (or legacy `status`), when listed. */
  vlStatus?: string;
  /** `created_at` as epoch milliseconds (Visual Layer sends ISO without a zone: read as UTC). */
  createdAt?: number;
}

/**
 * The few Visual Layer calls the pipeline makes. Every request has a timeout; every failure is a
 * named error (see `errors.ts`); a 401 is answered by reading the secret again and trying once more.
 */
export class VisualLayerClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: VisualLayerClientOptions) {
    this.baseUrl = withoutTrailingSlash(options.baseUrl);
    this.timeoutMs = options.timeoutMs;
    this.fetchFn = options.fetch ?? fetch;
  }

  /** The page where a person sees a dataset. */
  datasetPageUrl(datasetId: string): string {
    return `${this.baseUrl}/dataset/${encodeURIComponent(datasetId)}/data`;
  }

  /**
   * `POST /api/v1/dataset` as multipart form data with `dataset_name` and `bucket_path`.
   * Accepts `{"dataset_id"}` or `{"id"}`; a 200 that says `{"status":"error"}` is a failure.
   */
  async createDataset(input: { name: string; bucketPath: string }): Promise<{ datasetId: string }> {
    const action = `creating dataset "${input.name}"`;
    const body = await this.request(action, 'POST', '/api/v1/dataset', () => {
      const form = new FormData();
      form.set('dataset_name', input.name);
      form.set('bucket_path', input.bucketPath);
      return form;
    });
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new VisualLayerResponseError(`Visual Layer answered ${action} without a JSON object`);
    }
    const record = body as Record<string, unknown>;
    if (typeof record.status === 'string' && record.status.toLowerCase() === 'error') {
      const said = describeErrorBody(body);
      throw new VisualLayerBadRequestError(`Visual Layer refused ${action}${said ? `: ${said}` : ''}`);
    }
    const id = record.dataset_id ?? record.id;
    if (typeof id !== 'string' || id.trim() === '') {
      throw new VisualLayerResponseError(`Visual Layer answered ${action} without a dataset id`);
    }
    if (!isUsableId(id.trim())) {
      throw new VisualLayerResponseError(
        `Visual Layer answered ${action} with a dataset id of ${id.length} characters, not an id`,
      );
    }
    return { datasetId: id.trim() };
  }

  /** `GET /api/v1/dataset/{id}`, normalised (see `parseDatasetStatus`). */
  async getDatasetStatus(datasetId: string): Promise<DatasetStatus> {
    const body = await this.request(
      `reading the status of dataset ${datasetId}`,
      'GET',
      `/api/v1/dataset/${encodeURIComponent(datasetId)}`,
    );
    return parseDatasetStatus(body);
  }

  /** `GET /api/v1/datasets`: id and display name of every dataset the account sees. */
  async listDatasets(): Promise<DatasetSummary[]> {
    const body = await this.request('listing datasets', 'GET', '/api/v1/datasets');
    const items = Array.isArray(body) ? body : ((body as { datasets?: unknown } | null)?.datasets ?? []);
    if (!Array.isArray(items))
      throw new VisualLayerResponseError('Visual Layer listed datasets in an unknown shape');
    return items.flatMap((item: unknown) => {
      const r = (item ?? {}) as Record<string, unknown>;
      const id = r.id ?? r.dataset_id;
      const displayName = r.display_name ?? r.name;
      if (typeof id !== 'string' || !isUsableId(id) || typeof displayName !== 'string') return [];
      const status = r.status_new ?? r.status;
      const summary: DatasetSummary = { id, displayName };
      if (typeof status === 'string') summary.vlStatus = normaliseStatusWord(status);
      if (typeof r.created_at === 'string') {
        const at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(r.created_at) ? r.created_at : `${r.created_at}Z`);
        if (!Number.isNaN(at)) summary.createdAt = at;
      }
      return [summary];
    });
  }

  /** Any call: the JSON body of a 2xx answer; with `emptyOk`, undefined for an empty one (202). */
  call(action: string, method: 'GET' | 'POST', path: string, makeBody?: () => FormData, emptyOk = false) {
    return this.request(action, method, path, makeBody, emptyOk);
  }

  private async request(
    action: string,
    method: 'GET' | 'POST',
    path: string,
    makeBody?: () => FormData,
    emptyOk = false,
  ): Promise<unknown> {
    let response = await this.send(action, method, path, false, makeBody);
    if (response.status === 401) {
      await response.body?.cancel();
      response = await this.send(action, method, path, true, makeBody);
    }
    const retryAfter =
      response.status === 429 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
    if (retryAfter !== undefined && retryAfter <= (this.options.maxRetryAfterSeconds ?? 10)) {
      // A 429 was not acted on, so sending the same request again cannot duplicate anything.
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      response = await this.send(action, method, path, false, makeBody);
    }
    const text = await this.readText(response, action, method);
    const body = parseJson(text);
    if (!response.ok) {
      throw classifyHttpError({
        status: response.status,
        body: body === undefined ? text : body,
        retryAfter: response.headers.get('retry-after'),
        action,
      });
    }
    if (body === undefined && !(emptyOk && text.trim() === ''))
      throw new VisualLayerResponseError(`Visual Layer answered ${action} with a body that is not JSON`);
    return body;
  }

  private async send(
    action: string,
    method: string,
    path: string,
    freshCredentials: boolean,
    makeBody?: () => FormData,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const authorization = await this.options.auth.header({ fresh: freshCredentials });
    if (authorization) headers.authorization = authorization;
    try {
      return await this.fetchFn(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: makeBody?.(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw networkError(error, action, method, this.timeoutMs);
    }
  }

  private async readText(response: Response, action: string, method: string): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw networkError(error, action, method, this.timeoutMs);
    }
  }
}

/** Dataset ids are UUIDs; one far longer would be carried into every state, record and URL. */
const MAX_ID_LENGTH = 200;

function isUsableId(id: string): boolean {
  return id.length <= MAX_ID_LENGTH;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * A request that got no (complete) answer. Anything but a GET may have reached Visual Layer, so it
 * is marked ambiguous: the caller must look before posting again.
 */
function networkError(
  error: unknown,
  action: string,
  method: string,
  timeoutMs: number,
): VisualLayerTransientError {
  const name = error instanceof Error ? error.name : '';
  const what =
    name === 'TimeoutError' || name === 'AbortError'
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : `connection failed (${describeCause(error)})`;
  return new VisualLayerTransientError(
    `Visual Layer could not be reached while ${action}: ${what}`,
    undefined,
    undefined,
    method !== 'GET',
  );
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'unknown error';
}
