import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { currentTime } from '../clock';
import type { FolderRules } from '../s3/s3-key';
import {
  type AttemptKey,
  attemptOfExecution,
  attemptOfRecord,
  decideSweep,
  type ExecutionView,
  failureOf,
  finishUpdate,
  type SweptRecord,
  UNFINISHED_STATUSES,
} from './reconcile';
import { recordsInStatus } from './record-query';

/** The detail of a Step Functions "Execution Status Change" event, as far as it is read. */
export interface ExecutionStatusChange {
  executionArn: string;
  status: string;
  /** The execution's input as JSON text; null when it was too large to include. */
  input?: string | null;
  error?: string | null;
  cause?: string | null;
}

/** What became of one execution or record. */
export type ReconcileOutcome =
  | { folderUri: string; action: 'finished'; code: string }
  | { folderUri?: string; action: 'left'; reason: string };

/** Where and how {@link RecordSweeper} works. */
export interface RecordSweeperOptions {
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  recordsTable: string;
  stateMachineArn: string;
  clock?: () => Date;
}

/** Where and how {@link RecordReconciler} works. */
export interface RecordReconcilerOptions extends RecordSweeperOptions {
  folderRules: FolderRules;
}

/** What the sweep finds about one unfinished record, before it writes anything. */
export type SweepFinding = {
  folderUri: string;
  status?: string;
  /** The execution the record waits for, when it names one. */
  executionArn?: string;
  /** How that execution stands (`DescribeExecution`), or `MISSING` when it does not exist. */
  executionStatus?: string;
} & (
  | { action: 'finish'; key: AttemptKey; error: { code: string; message: string } }
  | { action: 'left'; reason: string }
);

/** Records looked at (executions described) at once by the sweep. */
const SWEEP_CONCURRENCY = 5;

/**
 * The sweep over unfinished records: finds those whose attempt's execution is no longer running and
 * writes their final record. {@link survey} only reads — what `vl-ingest repair` shows — and
 * {@link sweep} carries the same findings out, each write conditional on the record still being
 * unfinished and on the same attempt.
 */
export class RecordSweeper {
  protected readonly clock: () => Date;

  constructor(protected readonly options: RecordSweeperOptions) {
    this.clock = options.clock ?? currentTime;
  }

  /** What the sweep would do with every unfinished record; writes nothing. */
  async survey(): Promise<SweepFinding[]> {
    const findings: SweepFinding[] = [];
    for (const status of UNFINISHED_STATUSES) {
      const pages = recordsInStatus(this.options.dynamodb, this.options.recordsTable, status);
      for await (const page of pages) {
        for (let i = 0; i < page.length; i += SWEEP_CONCURRENCY) {
          const slice = page.slice(i, i + SWEEP_CONCURRENCY) as SweptRecord[];
          findings.push(...(await Promise.all(slice.map((record) => this.assess(record)))));
        }
      }
    }
    return findings;
  }

  /** Looks at every unfinished record and finishes those whose attempt's execution is no longer running. */
  async sweep(): Promise<ReconcileOutcome[]> {
    const outcomes: ReconcileOutcome[] = [];
    for (const finding of await this.survey()) {
      const { folderUri } = finding;
      outcomes.push(
        finding.action === 'finish'
          ? await this.finish(finding.key, finding.error)
          : { folderUri, action: 'left', reason: finding.reason },
      );
    }
    return outcomes;
  }

  private async assess(record: SweptRecord): Promise<SweepFinding> {
    const { folderUri, status } = record;
    const key = attemptOfRecord(record, this.options.stateMachineArn);
    if (!key) return { folderUri, status, action: 'left', reason: 'the record names no execution' };
    const execution = await this.describe(key.executionArn);
    const seen = {
      folderUri,
      status,
      executionArn: key.executionArn,
      executionStatus: execution?.status ?? 'MISSING',
    };
    const decision = decideSweep(record, execution, key.executionArn, this.clock());
    if (decision.action === 'leave') return { ...seen, action: 'left', reason: decision.reason };
    return { ...seen, action: 'finish', key, error: decision.error };
  }

  /** Writes the final record; a record that moved on meanwhile is left as it is. */
  protected async finish(
    key: AttemptKey,
    error: { code: string; message: string },
  ): Promise<ReconcileOutcome> {
    try {
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.recordsTable,
          ...finishUpdate(key, error, this.clock()),
        }),
      );
      return { folderUri: key.folderUri, action: 'finished', code: error.code };
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) {
        return { folderUri: key.folderUri, action: 'left', reason: 'finished or on a newer attempt' };
      }
      throw e;
    }
  }

  /** The execution as `DescribeExecution` tells it, or undefined when it does not exist. */
  protected async describe(executionArn: string): Promise<(ExecutionView & { input?: string }) | undefined> {
    try {
      const out = await this.options.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return {
        executionArn,
        status: String(out.status),
        error: out.error,
        cause: out.cause,
        input: out.input,
      };
    } catch (e) {
      if (e instanceof ExecutionDoesNotExist) return undefined;
      throw e;
    }
  }
}

/**
 * The reconciler's reads and writes: finishes the record of an execution that ended without
 * writing it (from its status change event), and sweeps the unfinished records for attempts whose
 * execution is no longer running (in case an event was missed). Every write is conditional on the
 * record still being unfinished and on the same attempt.
 */
export class RecordReconciler extends RecordSweeper {
  constructor(private readonly reconciling: RecordReconcilerOptions) {
    super(reconciling);
  }

  /** An execution ended (FAILED, TIMED_OUT, ABORTED): finish its attempt's record if still unfinished. */
  async executionEnded(change: ExecutionStatusChange): Promise<ReconcileOutcome> {
    const input = change.input ?? (await this.describe(change.executionArn))?.input;
    const key = attemptOfExecution(
      { executionArn: change.executionArn, input: parseJson(input) },
      this.reconciling.folderRules,
    );
    if (!key) return { action: 'left', reason: 'its input names no folder' };
    const execution: ExecutionView = {
      executionArn: change.executionArn,
      status: change.status,
      error: change.error ?? undefined,
      cause: change.cause ?? undefined,
    };
    if (execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') {
      return { folderUri: key.folderUri, action: 'left', reason: `execution ${execution.status}` };
    }
    return this.finish(key, failureOf(execution));
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
