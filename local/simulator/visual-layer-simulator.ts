import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { MediaAdditions, type MediaOptions } from './media-addition';
import { inProgressAt, type PacedState, pacedState } from './pace';

/** How the simulator checks the `Authorization` header. */
export type SimulatorAuth =
  /** Cloud: an HS256 JWT signed with `apiSecret`, `kid` and `sub` = `apiKey`, `iss` = "sdk", not expired. */
  | { mode: 'jwt'; apiKey: string; apiSecret: string }
  /** A fixed bearer token. */
  | { mode: 'static'; token: string }
  /** Self-hosted: no header needed. */
  | { mode: 'none' };

/** How a new dataset moves through its states; read when the dataset is created. */
export interface SimulatorLifecycle {
  /** Status reads answered with DRAFT, then with INDEXING, before the outcome shows. @default 1, 2 */
  draftReads?: number;
  indexingReads?: number;
  /** `NEVER` keeps the dataset INDEXING forever. @default READY */
  outcome?: 'READY' | 'ERROR' | 'NEVER';
  /** `fatal_error_msg` of an ERROR dataset. */
  fatalErrorMsg?: string;
  /** Status vocabulary: `status_new` (current), `spaced` (`"READ ONLY"` style words), `legacy` (`status` only). */
  vocabulary?: 'status_new' | 'spaced' | 'legacy';
  /** Replaces the in-progress status word, to exercise unknown values. */
  inProgressWord?: string;
  /** Images and videos the dataset reports once READY. @default 3, 0 */
  nImages?: number;
  nVideos?: number;
  /** Field carrying the new id in the create response. @default dataset_id */
  idField?: 'dataset_id' | 'id';
  /**
   * Index for this long on the simulator's clock, the progress growing linearly, then show the
   * outcome; reads then do not move the dataset (`draftReads`/`indexingReads` are ignored).
   */
  indexingSeconds?: number;
  /** `false`: answer without `progress`, like an API that does not report it. @default true */
  reportsProgress?: boolean;
}

/** How much the simulated account takes at once. */
export interface SimulatorLimits {
  /** Creates beyond this many time-based datasets in progress are refused with 429. @default no limit */
  maxInProgress?: number;
  /** `Retry-After` of those 429s, in seconds. @default none */
  retryAfterSeconds?: number;
}

/** One injected fault; it applies to matching requests `times` times, in order of injection. */
export interface SimulatorFault {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Path or a regular expression over the path. */
  path?: string | RegExp;
  /** How many matching requests it affects. @default 1 */
  times?: number;
  /** Answer with this status and body (JSON unless `rawBody`). */
  status?: number;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Wait before answering (or before dropping). */
  delayMs?: number;
  /**
   * Drop the connection: `before` the request is acted on, or `after` it was acted on (the dataset
   * exists but the client never hears of it).
   */
  drop?: 'before' | 'after';
}

/** A request the simulator received. */
export interface SimulatorCall {
  method: string;
  path: string;
  status: number | 'dropped';
  authorized: boolean;
  /** When the request arrived (epoch ms). */
  at: number;
}

/** A dataset held by the simulator. */
export interface SimulatedDataset {
  id: string;
  displayName: string;
  bucketPath: string;
  createdAt: Date;
  reads: number;
  lifecycle: Required<
    Omit<SimulatorLifecycle, 'fatalErrorMsg' | 'inProgressWord' | 'indexingSeconds' | 'reportsProgress'>
  > &
    Pick<SimulatorLifecycle, 'fatalErrorMsg' | 'inProgressWord' | 'indexingSeconds' | 'reportsProgress'>;
}

/** Options of {@link VisualLayerSimulator}. */
export interface SimulatorOptions {
  auth?: SimulatorAuth;
  lifecycle?: SimulatorLifecycle;
  limits?: SimulatorLimits;
  /** How add_media and reindex behave (see `MediaAdditions`). */
  media?: MediaOptions;
}

const DEFAULT_LIFECYCLE = {
  draftReads: 1,
  indexingReads: 2,
  outcome: 'READY',
  vocabulary: 'status_new',
  nImages: 3,
  nVideos: 0,
  idField: 'dataset_id',
} as const;

/**
 * A Visual Layer API on loopback, following `docs/visual-layer-api.md`: JWT or static-token auth,
 * multipart and urlencoded create with FastAPI-style `detail` errors, a dataset lifecycle with
 * configurable pace and outcome, list/get/delete, and fault injection (status codes, latency,
 * dropped connections). For tests and for trying the pipeline without an account.
 */
export class VisualLayerSimulator {
  readonly datasets = new Map<string, SimulatedDataset>();
  readonly calls: SimulatorCall[] = [];
  /** Every `Authorization` header received, for tests that prove tokens never leak. */
  readonly authorizations: string[] = [];
  /** add_media, reindex and the task manager; manifests are read from `media.objects` (the local S3). */
  readonly media: MediaAdditions;
  private readonly faults: (SimulatorFault & { remaining: number })[] = [];
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  auth: SimulatorAuth;
  lifecycle: SimulatorLifecycle;
  limits: SimulatorLimits;
  /** The simulator's clock (epoch ms): a local runtime with a virtual clock drives it. */
  now: () => number = () => Date.now();
  /** The most time-based datasets that were in progress at once. */
  peakInProgress = 0;
  url = '';

  constructor(options: SimulatorOptions = {}) {
    this.auth = options.auth ?? { mode: 'none' };
    this.lifecycle = options.lifecycle ?? {};
    this.limits = options.limits ?? {};
    this.media = new MediaAdditions(options.media);
  }

  /** Starts listening on a free loopback port; returns the base URL. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, { detail: `simulator error: ${String(error)}` });
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  /** Adds a fault; faults apply in the order added. */
  inject(fault: SimulatorFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Requests that tried to create a dataset (whatever their answer). */
  createCalls(): SimulatorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/dataset');
  }

  /** Requests that tried to add media to a dataset (whatever their answer). */
  addMediaCalls(): SimulatorCall[] {
    return this.calls.filter(
      (c) => c.method === 'POST' && /^\/api\/v1\/dataset\/[^/]+\/add_media$/.test(c.path),
    );
  }

  private takeFault(method: string, path: string): SimulatorFault | undefined {
    const index = this.faults.findIndex(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method === method) &&
        (!f.path || (typeof f.path === 'string' ? f.path === path : f.path.test(path))),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index] as SimulatorFault & { remaining: number };
    fault.remaining -= 1;
    return fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const body = await readBody(req);
    const call: SimulatorCall = { method, path, status: 0, authorized: false, at: this.now() };
    if (req.headers.authorization) this.authorizations.push(req.headers.authorization);
    this.calls.push(call);
    const fault = this.takeFault(method, path);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (res.destroyed) {
      call.status = 'dropped';
      return;
    }
    if (fault?.drop === 'before') {
      call.status = 'dropped';
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      call.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
      res.end(fault.rawBody ?? JSON.stringify(fault.body ?? { detail: `injected ${fault.status}` }));
      return;
    }
    const authError = await this.checkAuth(req.headers.authorization);
    if (authError) {
      call.status = 401;
      send(res, 401, { detail: authError });
      return;
    }
    call.authorized = true;
    const [status, payload, headers] = await this.route(method, path, req, body, url.searchParams);
    if (fault?.drop === 'after') {
      call.status = 'dropped';
      req.socket.destroy();
      return;
    }
    call.status = status;
    if (status === 202 && payload === null) {
      res.writeHead(202, headers);
      res.end();
      return;
    }
    send(res, status, payload, headers);
  }

  private async checkAuth(header: string | undefined): Promise<string | undefined> {
    const auth = this.auth;
    if (auth.mode === 'none') return undefined;
    const token = header?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!token) return 'Not authenticated';
    if (auth.mode === 'static') return token === auth.token ? undefined : 'Invalid token';
    try {
      const header = decodeProtectedHeader(token);
      if (header.kid !== auth.apiKey) return 'Invalid token';
      const { payload } = await jwtVerify(token, new TextEncoder().encode(auth.apiSecret), {
        algorithms: ['HS256'],
        issuer: 'sdk',
        subject: auth.apiKey,
        requiredClaims: ['exp', 'iat'],
      });
      if (payload.aud !== undefined) return 'Invalid token';
      return undefined;
    } catch {
      return 'Invalid or expired token';
    }
  }

  private async route(
    method: string,
    path: string,
    req: IncomingMessage,
    body: Buffer,
    query: URLSearchParams,
  ): Promise<[number, unknown, Record<string, string>?]> {
    if (method === 'GET' && path === '/api/v1/healthcheck') return [200, { status: 'ok' }];
    if (method === 'POST' && path === '/api/v1/dataset') return this.create(req, body);
    if (method === 'GET' && path === '/api/v1/datasets')
      return [200, [...this.datasets.values()].map((d) => this.view(d, false))];
    if (method === 'GET' && path === '/api/v1/tasks') return this.media.listTasks(query);
    const operation = path.match(/^\/api\/v1\/dataset\/([^/]+)\/(add_media|reindex)$/);
    if (operation && method === 'POST') {
      const dataset = this.datasets.get(decodeURIComponent(operation[1] as string));
      if (!dataset) return [404, { detail: 'Dataset not found' }];
      const target = {
        id: dataset.id,
        displayName: dataset.displayName,
        created: isCreated(dataset, pacedState(dataset, this.now())),
      };
      if (operation[2] === 'reindex') return this.media.reindex(target);
      const form = await readForm(req, body);
      return form instanceof FormData ? this.media.addMedia(target, form) : form;
    }
    const match = path.match(/^\/api\/v1\/dataset\/([^/]+)$/);
    if (match) {
      const dataset = this.datasets.get(decodeURIComponent(match[1] as string));
      if (!dataset) return [404, { detail: 'Dataset not found' }];
      if (method === 'GET') return [200, this.view(dataset, true)];
      if (method === 'DELETE') {
        this.datasets.delete(dataset.id);
        return [200, { status: 'deleted' }];
      }
    }
    return [404, { detail: 'Not Found' }];
  }

  private async create(
    req: IncomingMessage,
    body: Buffer,
  ): Promise<[number, unknown, Record<string, string>?]> {
    const form = await readForm(req, body);
    if (!(form instanceof FormData)) return form;
    const name = form.get('dataset_name');
    const bucketPath = form.get('bucket_path');
    const missing = [
      typeof name !== 'string' || name === '' ? 'dataset_name' : undefined,
      typeof bucketPath !== 'string' || bucketPath === '' ? 'bucket_path' : undefined,
    ].filter((m): m is string => Boolean(m));
    if (missing.length > 0) {
      return [
        422,
        {
          detail: missing.map((field) => ({
            type: 'missing',
            loc: ['body', field],
            msg: 'Field required',
            input: null,
          })),
        },
      ];
    }
    if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(bucketPath as string)) {
      return [400, { detail: `Invalid bucket path: ${bucketPath as string}` }];
    }
    const { maxInProgress, retryAfterSeconds } = this.limits;
    if (maxInProgress !== undefined && inProgressAt(this.datasets.values(), this.now()) >= maxInProgress) {
      const headers =
        retryAfterSeconds === undefined ? undefined : { 'retry-after': String(retryAfterSeconds) };
      return [429, { detail: `Too many datasets in progress (at most ${maxInProgress})` }, headers];
    }
    const lifecycle = { ...DEFAULT_LIFECYCLE, ...this.lifecycle };
    const dataset: SimulatedDataset = {
      id: randomUUID(),
      displayName: name as string,
      bucketPath: bucketPath as string,
      createdAt: new Date(this.now()),
      reads: 0,
      lifecycle,
    };
    this.datasets.set(dataset.id, dataset);
    this.peakInProgress = Math.max(this.peakInProgress, inProgressAt(this.datasets.values(), this.now()));
    return [200, { [lifecycle.idField]: dataset.id }];
  }

  /** The dataset as the API shows it; a status read (`advance`) moves it along its lifecycle. */
  private view(dataset: SimulatedDataset, advance: boolean): Record<string, unknown> {
    if (advance) dataset.reads += 1;
    const { lifecycle } = dataset;
    const reads = dataset.reads;
    let word: string;
    let progress: number;
    const paced = pacedState(dataset, this.now());
    const created = isCreated(dataset, paced);
    const media = created ? this.media.statusOf(dataset.id, advance) : undefined;
    if (media) {
      word = media.word;
      progress = media.progress;
    } else if (paced) {
      ({ word, progress } = paced);
    } else if (reads <= lifecycle.draftReads) {
      word = 'DRAFT';
      progress = 0;
    } else if (lifecycle.outcome === 'NEVER' || reads <= lifecycle.draftReads + lifecycle.indexingReads) {
      word = lifecycle.inProgressWord ?? 'INDEXING';
      progress = Math.min(
        99,
        Math.round(((reads - lifecycle.draftReads) / (lifecycle.indexingReads + 1)) * 100),
      );
    } else {
      word = lifecycle.outcome;
      progress = lifecycle.outcome === 'READY' ? 100 : 0;
    }
    const ready = created;
    const failed = word === 'ERROR';
    const view: Record<string, unknown> = {
      id: dataset.id,
      display_name: dataset.displayName,
      description: null,
      source_type: 'BUCKET',
      owned_by: 'simulator',
      created_at: dataset.createdAt.toISOString().replace(/Z$/, ''),
      progress: lifecycle.reportsProgress === false ? null : progress,
      n_images: ready ? lifecycle.nImages + this.media.addedImages(dataset.id) : 0,
      n_videos: ready ? lifecycle.nVideos : 0,
      n_objects: 0,
      fatal_error_msg: failed ? (lifecycle.fatalErrorMsg ?? 'Failed to read the bucket') : null,
      source_dataset_id: null,
    };
    if (lifecycle.vocabulary === 'legacy') {
      view.status = failed ? 'FATAL_ERROR' : word === 'DRAFT' ? 'INITIALIZING' : word;
    } else {
      view.status_new = lifecycle.vocabulary === 'spaced' ? word.replace(/_/g, ' ') : word;
    }
    return view;
  }
}

/** Whether a dataset's creation has reached READY (it then has an embedding config). */
function isCreated(dataset: SimulatedDataset, paced: PacedState | undefined): boolean {
  const { lifecycle } = dataset;
  if (paced) return paced.done && lifecycle.outcome === 'READY';
  return lifecycle.outcome === 'READY' && dataset.reads > lifecycle.draftReads + lifecycle.indexingReads;
}

/** A multipart or urlencoded body, or the answer to give when it is neither. */
async function readForm(req: IncomingMessage, body: Buffer): Promise<FormData | [number, unknown]> {
  const contentType = String(req.headers['content-type'] ?? '');
  if (!/multipart\/form-data|application\/x-www-form-urlencoded/i.test(contentType)) {
    return [422, { detail: [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }] }];
  }
  try {
    return await new Request('http://simulator/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    }).formData();
  } catch {
    return [400, { detail: 'Malformed form body' }];
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
