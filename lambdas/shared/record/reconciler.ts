import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { currentTime } from '../clock';
import type { FolderRules } from '../s3/s3-key';
import { RECORD_KEYS } from './folder-record';
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

/** Where and how {@link RecordReconciler} works. */
export interface RecordReconcilerOptions {
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  recordsTable: string;
  stateMachineArn: string;
  folderRules: FolderRules;
  clock?: () => Date;
}

/** Records looked at (executions described) at once by the sweep. */
const SWEEP_CONCURRENCY = 5;

/**
 * The reconciler's reads and writes: finishes the record of an execution that ended without
 * writing it (from its status change event), and sweeps the unfinished records for attempts whose
 * execution is no longer running (in case an event was missed). Every write is conditional on the
 * record still being unfinished and on the same attempt.
 */
export class RecordReconciler {
  private readonly clock: () => Date;

  constructor(private readonly options: RecordReconcilerOptions) {
    this.clock = options.clock ?? currentTime;
  }

  /** An execution ended (FAILED, TIMED_OUT, ABORTED): finish its attempt's record if still unfinished. */
  async executionEnded(change: ExecutionStatusChange): Promise<ReconcileOutcome> {
    const input = change.input ?? (await this.describe(change.executionArn))?.input;
    const key = attemptOfExecution(
      { executionArn: change.executionArn, input: parseJson(input) },
      this.options.folderRules,
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

  /** Looks at every unfinished record and finishes those whose attempt's execution is no longer running. */
  async sweep(): Promise<ReconcileOutcome[]> {
    const outcomes: ReconcileOutcome[] = [];
    for (const status of UNFINISHED_STATUSES) {
      for await (const page of this.recordsIn(status)) {
        for (let i = 0; i < page.length; i += SWEEP_CONCURRENCY) {
          const slice = page.slice(i, i + SWEEP_CONCURRENCY);
          outcomes.push(...(await Promise.all(slice.map((record) => this.sweepOne(record)))));
        }
      }
    }
    return outcomes;
  }

  private async sweepOne(record: SweptRecord): Promise<ReconcileOutcome> {
    const { folderUri } = record;
    const key = attemptOfRecord(record, this.options.stateMachineArn);
    if (!key) return { folderUri, action: 'left', reason: 'the record names no execution' };
    const execution = await this.describe(key.executionArn);
    const decision = decideSweep(record, execution, key.executionArn, this.clock());
    if (decision.action === 'leave') return { folderUri, action: 'left', reason: decision.reason };
    return this.finish(key, decision.error);
  }

  /** Writes the final record; a record that moved on meanwhile is left as it is. */
  private async finish(key: AttemptKey, error: { code: string; message: string }): Promise<ReconcileOutcome> {
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
  private async describe(executionArn: string): Promise<(ExecutionView & { input?: string }) | undefined> {
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

  /** Pages of the records in one status, from the `byStatus` index. */
  private async *recordsIn(status: string): AsyncGenerator<SweptRecord[]> {
    let startKey: QueryCommand['input']['ExclusiveStartKey'];
    do {
      const out = await this.options.dynamodb.send(
        new QueryCommand({
          TableName: this.options.recordsTable,
          IndexName: RECORD_KEYS.byStatusIndex,
          KeyConditionExpression: '#status = :status',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': { S: status } },
          ExclusiveStartKey: startKey,
        }),
      );
      yield (out.Items ?? []).map((item) => unmarshall(item) as SweptRecord);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
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
