import { VisualLayerBadRequestError, VisualLayerResponseError } from '../errors';
import { type ExchangeObserver, networkError, tellObserver, type VisualLayerOperation } from './exchange';
import {
  classifyHttpError,
  type DatasetStatus,
  describeErrorBody,
  normaliseStatusWord,
  parseDatasetStatus,
} from './responses';

export type { VisualLayerExchange } from './exchange';

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
  /** Told of every request sent (each try counts), for metrics. @default nobody */
  onExchange?: ExchangeObserver;
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
    const body = await this.request(action, 'create', '/api/v1/dataset', () => {
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
      'status',
      `/api/v1/dataset/${encodeURIComponent(datasetId)}`,
    );
    return parseDatasetStatus(body);
  }

  /** `GET /api/v1/datasets`: id and display name of every dataset the account sees. */
  async listDatasets(): Promise<DatasetSummary[]> {
    const body = await this.request('listing datasets', 'list', '/api/v1/datasets');
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
  call(
    action: string,
    operation: VisualLayerOperation,
    path: string,
    makeBody?: () => FormData,
    emptyOk = false,
  ) {
    return this.request(action, operation, path, makeBody, emptyOk);
  }

  private async request(
    action: string,
    operation: VisualLayerOperation,
    path: string,
    makeBody?: () => FormData,
    emptyOk = false,
  ): Promise<unknown> {
    const method = operation === 'create' || operation === 'addMedia' ? 'POST' : 'GET';
    const send = (fresh: boolean) => this.send({ action, operation, method, path, fresh }, makeBody);
    let response = await send(false);
    if (response.status === 401) {
      await response.body?.cancel();
      response = await send(true);
    }
    // A 429 or 503 (Retry-After or not) goes back to the state machine, which waits in a Wait state.
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

  private async send(request: OutgoingRequest, makeBody?: () => FormData): Promise<Response> {
    const { action, operation, method } = request;
    const headers: Record<string, string> = { accept: 'application/json' };
    const authorization = await this.options.auth.header({ fresh: request.fresh });
    if (authorization) headers.authorization = authorization;
    const started = performance.now();
    const tell = (status?: number) =>
      tellObserver(this.options.onExchange, { operation, status, durationMs: performance.now() - started });
    try {
      const response = await this.fetchFn(`${this.baseUrl}${request.path}`, {
        method,
        headers,
        body: makeBody?.(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      tell(response.status);
      return response;
    } catch (error) {
      tell();
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

/** One request as {@link VisualLayerClient} sends it. */
interface OutgoingRequest {
  action: string;
  operation: VisualLayerOperation;
  method: 'GET' | 'POST';
  path: string;
  /** Read the credentials again (after a 401). */
  fresh: boolean;
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
