import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { currentTime } from '../clock';
import { InvalidInputError } from '../errors';
import { FolderClaims, type FolderIngested } from '../ledger/folder-claims';
import { isExecutionRunning } from '../ledger/folder-executions';
import { executionArnOf } from '../record/folder-record';
import { decodeS3EventKey, type FolderRules } from '../s3/s3-key';
import { foldPage, type ListedKey, type PageFolder } from './backfill-page';
import { BackfillRuns } from './backfill-runs';
import {
  addTotals,
  BackfillAlreadyRunningError,
  type BackfillInput,
  type BackfillState,
  type BackfillTotals,
  backfillPrefix,
  NO_TOTALS,
  outputOf,
  runIdOf,
  stateMachineOf,
  successorOf,
} from './backfill-state';
import { foldersInFlight } from './in-flight';

/** Folders claimed at once within a step (each costs several requests). */
const FOLDERS_AT_ONCE = 10;

/** Where the backfill works and how much one step and one execution do. */
export interface BackfillOptions {
  s3: S3Client;
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  /** The folder rules of the stack: its bucket and prefix, how keys name folders and datasets. */
  rules: FolderRules;
  recordsTable: string;
  ledgerTable: string;
  backfillTable: string;
  /** The state machine that ingests a folder. */
  stateMachineArn: string;
  lateObjects: 'append' | 'ignore';
  /** Keys one step lists (ListObjectsV2 `MaxKeys`, at most 1,000). */
  pageSize: number;
  /** Steps one execution makes before it continues as a new one (its history stays bounded). */
  stepsPerExecution: number;
  /** Folders between their claim and their end (live ones too) above which the backfill pauses. */
  foldersInFlight: number;
  /** How long it pauses then. */
  pauseSeconds: number;
  clock?: () => Date;
}

/**
 * The backfill: lists what is already under a prefix of the bucket, a page per step, and feeds each
 * folder's objects through the same claims as live events (ledger, claim, one execution per folder;
 * a READY folder gets the objects it lacks appended), its executions waiting for the gate after live
 * folders. At most one run per prefix; a run continues as a new execution at its step bound.
 */
export class Backfill {
  private readonly claims: FolderClaims;
  private readonly runs: BackfillRuns;
  private readonly clock: () => Date;

  constructor(private readonly options: BackfillOptions) {
    this.claims = new FolderClaims(options);
    this.runs = new BackfillRuns(options.dynamodb, options.backfillTable);
    this.clock = options.clock ?? currentTime;
  }

  /**
   * Begins an execution: a new run of the prefix (unless one runs: {@link BackfillAlreadyRunningError}),
   * or the run a previous execution handed over.
   */
  async begin(input: BackfillInput, executionArn: string): Promise<BackfillState> {
    const prefix = backfillPrefix(input?.prefix, this.options.rules.prefix);
    const prefixUri = this.prefixUri(prefix);
    const { resume } = input ?? {};
    if (resume) {
      if (!(await this.runs.handOver(prefixUri, executionArn, executionArn, this.now()))) {
        const holder = (await this.runs.read(prefixUri))?.executionArn;
        throw new BackfillAlreadyRunningError(`the run of "${prefix}" was taken over by ${holder}`);
      }
      return { next: 'list', prefix, ...resume, steps: 0 };
    }
    const run = { id: runIdOf(executionArn), startedAt: this.now(), part: 1 };
    const begun: BackfillState = { next: 'list', prefix, run, totals: NO_TOTALS, steps: 0 };
    for (let round = 0; round < 3; round += 1) {
      if (await this.runs.start(prefixUri, run, executionArn)) return begun;
      const holder = (await this.runs.read(prefixUri))?.executionArn;
      if (!holder) continue;
      if (await isExecutionRunning(this.options.sfn, holder)) {
        throw new BackfillAlreadyRunningError(`a backfill of "${prefix}" is already running: ${holder}`);
      }
      // Its holder has ended without finishing (failed, stopped, timed out): this run takes over.
      if (await this.runs.start(prefixUri, run, executionArn, holder)) return begun;
    }
    throw new Error(`could not begin the backfill of "${prefix}": its run kept changing`);
  }

  /**
   * One step: pause while too many folders are in flight; otherwise list a page after `startAfter`
   * and claim its folders — only as many new ones as the bound leaves room for, the rest in the next
   * step. Then say what comes next: another page, a pause, the next execution, or the end.
   */
  async step(state: BackfillState, executionArn: string): Promise<BackfillState> {
    const { options } = this;
    // The state comes back from the state machine: its prefix must still be under the stack's.
    backfillPrefix(state?.prefix, options.rules.prefix);
    if (!state.run?.id || !state.totals) throw new InvalidInputError('the backfill step needs its state');
    const inFlight = await foldersInFlight(options.dynamodb, options.recordsTable, options.foldersInFlight);
    const room = options.foldersInFlight - inFlight;
    const steps = state.steps + 1;
    if (room <= 0) {
      return this.after({ ...state, steps }, executionArn, {
        next: 'wait',
        waitSeconds: options.pauseSeconds,
      });
    }
    const page = await this.list(state.prefix, state.startAfter);
    const folders = foldPage(options.rules.bucketName, page.keys, options.rules);
    const done = await this.claimFolders(folders, room, state.run.startedAt);
    // Past the last folder claimed; all of the page when every folder was.
    const lastIndex = done.stoppedAt ?? page.keys.length - 1;
    const totals = addTotals(state.totals, { ...done.totals, keysListed: lastIndex + 1, pages: 1 });
    const startAfter = page.keys[lastIndex]?.key ?? state.startAfter;
    const more = done.stoppedAt !== undefined || page.truncated;
    return this.after({ ...state, steps, totals, startAfter }, executionArn, {
      next: more ? 'list' : 'done',
    });
  }

  /** Records the progress and decides the next step: the end, or at the step bound, the next execution. */
  private async after(
    state: BackfillState,
    executionArn: string,
    next: Pick<BackfillState, 'next' | 'waitSeconds'>,
  ): Promise<BackfillState> {
    const prefixUri = this.prefixUri(state.prefix);
    const now = this.now();
    const done = next.next === 'done';
    const { totals, startAfter } = state;
    if (!(await this.runs.progress(prefixUri, executionArn, { totals, startAfter, now, done }))) {
      throw new BackfillAlreadyRunningError(
        `the run of "${state.prefix}" was taken over by another backfill`,
      );
    }
    const { successor: _s, output: _o, waitSeconds: _w, ...base } = state;
    if (done) return { ...base, next: 'done', output: outputOf(state, { finishedAt: now }) };
    if (state.steps < this.options.stepsPerExecution) return { ...base, ...next };
    const successor = successorOf(state);
    const continuedAs = executionArnOf(stateMachineOf(executionArn), successor?.name ?? '');
    // Handed over before it starts, so no new run takes the prefix in between.
    await this.runs.handOver(prefixUri, executionArn, continuedAs, now);
    return { ...base, next: 'continue', successor, output: outputOf(state, { continuedAs }) };
  }

  /** One listing page after `startAfter`, keys URL-encoded as S3 events carry them, decoded alike. */
  private async list(
    prefix: string,
    startAfter?: string,
  ): Promise<{ keys: ListedKey[]; truncated: boolean }> {
    const out = await this.options.s3.send(
      new ListObjectsV2Command({
        Bucket: this.options.rules.bucketName,
        Prefix: prefix,
        StartAfter: startAfter,
        MaxKeys: this.options.pageSize,
        EncodingType: 'url',
      }),
    );
    const keys = (out.Contents ?? []).map((o) => ({
      key: decodeS3EventKey(o.Key ?? ''),
      size: o.Size,
      lastModified: o.LastModified,
      etag: o.ETag,
    }));
    return { keys, truncated: out.IsTruncated === true };
  }

  /**
   * Claims the page's folders in order, a few at once, until `room` of them have started: the index
   * of the last key of the last folder claimed when it stopped before the page's end. A folder whose
   * last attempt failed before the run began is claimed again.
   */
  private async claimFolders(
    folders: PageFolder[],
    room: number,
    runStartedAt: string,
  ): Promise<{ totals: Partial<BackfillTotals>; stoppedAt?: number }> {
    const options = { lane: 'backfill', retryEndedBefore: runStartedAt } as const;
    let started = 0;
    let recorded = 0;
    let i = 0;
    while (i < folders.length && started < room) {
      const chunk = folders.slice(i, i + Math.min(FOLDERS_AT_ONCE, room - started));
      const outcomes = await Promise.all(chunk.map((f) => this.claims.ingest(f.batch, options)));
      started += outcomes.filter(startedFolder).length;
      recorded += outcomes.reduce((n, o) => n + o.recorded, 0);
      i += chunk.length;
    }
    const totals = { objectsRecorded: recorded, foldersStarted: started };
    return i < folders.length ? { totals, stoppedAt: folders[i - 1]?.lastIndex } : { totals };
  }

  private prefixUri(prefix: string): string {
    return `s3://${this.options.rules.bucketName}/${prefix}`;
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** Whether the backfill started the folder's execution: a new attempt, or an append batch. */
function startedFolder(outcome: FolderIngested): boolean {
  if (outcome.action === 'started') return outcome.claimed;
  return outcome.action === 'late' && outcome.append === 'started';
}
