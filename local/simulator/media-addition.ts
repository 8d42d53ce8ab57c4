import { randomUUID } from 'node:crypto';
import { isMediaKey } from '../../lambdas/shared/s3/media';

/** A task of the task manager (`GET /api/v1/tasks`), with the documented fields. */
export interface SimulatedTask {
  task_id: string;
  dataset_id: string;
  dataset_name: string;
  dataset_status: string;
  task_type: 'MEDIA_ADDITION' | 'REINDEX';
  status: 'INITIALIZING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED';
  status_message: string;
  progress_percentage: number;
  error_message: string | null;
  start_time: string;
  end_time: string | null;
}

/** Where manifests and folders named by `s3_uri` are read from (the local S3). */
export interface ObjectSource {
  get(bucket: string, key: string): { body: Buffer } | undefined;
  keys(bucket: string, prefix: string): string[];
}

/** How media operations behave. */
export interface MediaOptions {
  /** Status reads a dataset stays `READ ONLY` while media is added. @default 2 */
  addReads?: number;
  /** Status reads it stays `INDEXING` while re-indexing. @default 1 */
  reindexReads?: number;
  /** `false`: add_media answers 403 (the feature is off for the account). @default true */
  enabled?: boolean;
}

/** One accepted add_media: what it named and which media it added. */
export interface MediaAddition {
  s3Uri: string;
  keys: string[];
  autoReindex: boolean;
}

/** The dataset as the media operations need it. */
export interface MediaDataset {
  id: string;
  displayName: string;
  /** Whether its creation has reached READY (it then has an embedding config). */
  created: boolean;
}

interface Operation {
  word: 'READ_ONLY' | 'INDEXING';
  reads: number;
  length: number;
  task: SimulatedTask;
  addition?: MediaAddition;
}

interface MediaState {
  resting: 'READY' | 'PARTIAL_INDEX';
  operation?: Operation;
  addedImages: number;
  additions: MediaAddition[];
}

type Reply = [number, unknown];

/**
 * `POST /api/v1/dataset/{id}/add_media`, `POST /api/v1/dataset/{id}/reindex` and `GET /api/v1/tasks`
 * as docs/visual-layer-api.md describes them: exactly one media source; a manifest (`.txt`, one
 * `s3://bucket/key` a line) or a folder read from the local S3; 409 while another operation runs or the
 * dataset is not READY / PARTIAL INDEX; the dataset goes READ ONLY → PARTIAL INDEX, or with
 * `auto_reindex=true` on through INDEXING to READY, its `n_images` growing by the media added.
 */
export class MediaAdditions {
  readonly tasks: SimulatedTask[] = [];
  private readonly states = new Map<string, MediaState>();
  objects?: ObjectSource;

  constructor(public options: MediaOptions = {}) {}

  /** What was added to a dataset, in order. */
  additionsOf(datasetId: string): MediaAddition[] {
    return this.states.get(datasetId)?.additions ?? [];
  }

  /** Images added to a dataset so far. */
  addedImages(datasetId: string): number {
    return this.states.get(datasetId)?.addedImages ?? 0;
  }

  addMedia(dataset: MediaDataset, form: FormData): Reply {
    if (this.options.enabled === false)
      return [403, { detail: 'Adding media is not enabled for this account' }];
    const sources = ['s3_uri', 'files', 'archive'].filter((f) => form.getAll(f).length > 0);
    if (sources.length !== 1) return [400, { detail: 'Provide exactly one media source' }];
    if (!dataset.created) return [400, { detail: 'Dataset has no embedding config yet' }];
    const state = this.stateOf(dataset.id);
    if (state.operation) {
      const type = state.operation.task.task_type;
      return [409, { detail: `Operation 'add_media' is blocked while ${type} task is running` }];
    }
    const s3Uri = String(form.get('s3_uri') ?? '');
    const keys = this.mediaOf(s3Uri);
    if (keys === undefined) return [400, { detail: `Invalid S3 URI: ${s3Uri}` }];
    if (keys.length === 0) return [400, { detail: `No media found at ${s3Uri}` }];
    const addition = { s3Uri, keys, autoReindex: String(form.get('auto_reindex')) === 'true' };
    state.operation = this.start(dataset, 'MEDIA_ADDITION', 'READ_ONLY', this.options.addReads ?? 2);
    state.operation.addition = addition;
    state.additions.push(addition);
    return [202, null];
  }

  reindex(dataset: MediaDataset): Reply {
    const state = this.stateOf(dataset.id);
    if (state.operation || state.resting !== 'PARTIAL_INDEX')
      return [409, { detail: 'Reindex is only possible in PARTIAL INDEX' }];
    state.operation = this.start(dataset, 'REINDEX', 'INDEXING', this.options.reindexReads ?? 1);
    return [202, null];
  }

  /**
   * The status word of a dataset that has media operations, or undefined. A status read (`advance`)
   * moves the running operation along.
   */
  statusOf(datasetId: string, advance: boolean): { word: string; progress: number } | undefined {
    const state = this.states.get(datasetId);
    if (!state) return undefined;
    const op = state.operation;
    if (op && advance) {
      op.reads += 1;
      if (op.reads > op.length) this.finish(state, op);
    }
    const now = state.operation;
    // Visual Layer's own spelling of these words has spaces (`READ ONLY`).
    if (now) return { word: spaced(now.word), progress: Math.round((now.reads / (now.length + 1)) * 100) };
    return { word: spaced(state.resting), progress: 100 };
  }

  listTasks(query: URLSearchParams): Reply {
    const page = Number(query.get('page') ?? 1);
    const pageSize = Number(query.get('page_size') ?? 10);
    if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 5 || pageSize > 50)
      return [
        422,
        { detail: [{ type: 'value_error', loc: ['query', 'page_size'], msg: 'between 5 and 50' }] },
      ];
    const filters: [string, (t: SimulatedTask, v: string) => boolean][] = [
      ['dataset_id', (t, v) => t.dataset_id === v],
      ['dataset_name', (t, v) => t.dataset_name === v],
      ['task_type', (t, v) => t.task_type === v],
      ['task_status', (t, v) => t.status === v],
      ['start_time_from', (t, v) => Date.parse(`${t.start_time}Z`) >= Date.parse(v)],
      ['start_time_to', (t, v) => Date.parse(`${t.start_time}Z`) <= Date.parse(v)],
    ];
    let tasks = this.tasks.filter((t) =>
      filters.every(([name, ok]) => !query.has(name) || ok(t, String(query.get(name)))),
    );
    tasks = tasks.sort((a, b) => a.start_time.localeCompare(b.start_time));
    if ((query.get('sort_order') ?? 'desc') === 'desc') tasks.reverse();
    const slice = tasks.slice((page - 1) * pageSize, page * pageSize);
    return [200, { tasks: slice.map((t) => ({ ...t })), total: tasks.length, page, page_size: pageSize }];
  }

  private stateOf(datasetId: string): MediaState {
    let state = this.states.get(datasetId);
    if (!state) {
      state = { resting: 'READY', addedImages: 0, additions: [] };
      this.states.set(datasetId, state);
    }
    return state;
  }

  /** The media keys an `s3_uri` names: a manifest's lines, or a folder's objects; undefined if invalid. */
  private mediaOf(s3Uri: string): string[] | undefined {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(s3Uri);
    if (!match) return undefined;
    const [, bucket = '', key = ''] = match;
    if (key === '' || key.endsWith('/')) return this.objects?.keys(bucket, key).filter(isMediaKey) ?? [];
    if (!/\.(txt|csv|parquet)$/i.test(key)) return undefined;
    const manifest = this.objects?.get(bucket, key)?.body.toString('utf8');
    if (manifest === undefined) return [];
    return manifest
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('s3://') && isMediaKey(line));
  }

  private start(
    dataset: MediaDataset,
    type: SimulatedTask['task_type'],
    word: Operation['word'],
    length: number,
  ): Operation {
    const task: SimulatedTask = {
      task_id: randomUUID(),
      dataset_id: dataset.id,
      dataset_name: dataset.displayName,
      dataset_status: word,
      task_type: type,
      status: 'RUNNING',
      status_message: type === 'REINDEX' ? 'Re-indexing' : 'Adding media',
      progress_percentage: 0,
      error_message: null,
      start_time: isoWithoutZone(new Date()),
      end_time: null,
    };
    this.tasks.push(task);
    return { word, reads: 0, length, task };
  }

  private finish(state: MediaState, op: Operation): void {
    Object.assign(op.task, {
      status: 'COMPLETED',
      progress_percentage: 100,
      end_time: isoWithoutZone(new Date()),
    });
    state.operation = undefined;
    if (op.task.task_type === 'REINDEX') {
      state.resting = 'READY';
      return;
    }
    state.addedImages += op.addition?.keys.length ?? 0;
    state.resting = 'PARTIAL_INDEX';
    if (op.addition?.autoReindex) {
      const dataset = { id: op.task.dataset_id, displayName: op.task.dataset_name, created: true };
      state.operation = this.start(dataset, 'REINDEX', 'INDEXING', this.options.reindexReads ?? 1);
      // The read that ended the addition shows the re-indexing.
      state.operation.reads = 1;
    }
  }
}

function spaced(word: string): string {
  return word.replace(/_/g, ' ');
}

/** Visual Layer's timestamps: ISO 8601 without a zone (UTC). */
function isoWithoutZone(date: Date): string {
  return date.toISOString().replace(/Z$/, '');
}
