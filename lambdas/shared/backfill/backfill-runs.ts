import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { updateConditionally, writeConditionally } from '../conditional-write';
import type { BackfillRun, BackfillTotals } from './backfill-state';

/**
 * Key of the backfill table: one item per key prefix a backfill has run for, as `s3://bucket/prefix`
 * (never empty, as a DynamoDB key must not be).
 */
export const BACKFILL_KEYS = { partitionKey: 'prefixUri' } as const;

/** How a prefix's backfill run stands in the table. */
export interface RunItem {
  /** The execution that holds the run (continued executions take it over in turn). */
  executionArn: string;
  runStatus: 'RUNNING' | 'DONE';
}

const RUNNING = { S: 'RUNNING' };

/**
 * The backfill table: per key prefix, the run that holds it (at most one backfill runs per prefix),
 * and its progress — `keysListed`, `objectsRecorded`, `foldersStarted`, `pages`, `startAfter` (the
 * last key done), `updatedAt` — so a person can follow it. Every write is conditional on the holder.
 */
export class BackfillRuns {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** The prefix's run, if one was ever started (consistent read). */
  async read(prefixUri: string): Promise<RunItem | undefined> {
    const out = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.table, Key: key(prefixUri), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item?.executionArn?.S) return undefined;
    return {
      executionArn: item.executionArn.S,
      runStatus: item.runStatus?.S === 'RUNNING' ? 'RUNNING' : 'DONE',
    };
  }

  /**
   * Starts a run of the prefix for `executionArn`, unless another one holds it (`holder`: the one it
   * may take over, an execution that no longer runs). False when another holds it.
   */
  start(prefixUri: string, run: BackfillRun, executionArn: string, holder?: string): Promise<boolean> {
    const free = holder
      ? 'executionArn = :holder'
      : 'attribute_not_exists(executionArn) OR runStatus <> :running OR executionArn = :me';
    return writeConditionally(
      this.dynamodb,
      new PutItemCommand({
        TableName: this.table,
        Item: {
          ...key(prefixUri),
          executionArn: { S: executionArn },
          runId: { S: run.id },
          runStatus: RUNNING,
          startedAt: { S: run.startedAt },
          updatedAt: { S: run.startedAt },
          ...totals({ keysListed: 0, objectsRecorded: 0, foldersStarted: 0, pages: 0 }),
        },
        ConditionExpression: free,
        ExpressionAttributeValues: {
          ...(holder ? { ':holder': { S: holder } } : { ':running': RUNNING, ':me': { S: executionArn } }),
        },
      }),
    );
  }

  /**
   * Hands the run from `from` to `to` (the execution it continues as, or `from` itself again when a
   * continued execution begins). False when `from` no longer holds it.
   */
  handOver(prefixUri: string, from: string, to: string, now: string): Promise<boolean> {
    return this.update(prefixUri, from, 'SET executionArn = :to, updatedAt = :now', {
      ':to': { S: to },
      ':now': { S: now },
    });
  }

  /** Records the run's progress; `done`: it listed everything. False when `holder` no longer holds it. */
  progress(
    prefixUri: string,
    holder: string,
    state: { totals: BackfillTotals; startAfter?: string; now: string; done?: boolean },
  ): Promise<boolean> {
    const set = [
      'keysListed = :keysListed',
      'objectsRecorded = :objectsRecorded',
      'foldersStarted = :foldersStarted',
      'pages = :pages',
      'updatedAt = :now',
      ...(state.startAfter === undefined ? [] : ['startAfter = :startAfter']),
      ...(state.done ? ['runStatus = :done', 'finishedAt = :now'] : []),
    ];
    return this.update(prefixUri, holder, `SET ${set.join(', ')}`, {
      ...totals(state.totals, ':'),
      ':now': { S: state.now },
      ...(state.startAfter === undefined ? {} : { ':startAfter': { S: state.startAfter } }),
      ...(state.done ? { ':done': { S: 'DONE' } } : {}),
    });
  }

  private update(
    prefixUri: string,
    holder: string,
    expression: string,
    values: Record<string, AttributeValue>,
  ): Promise<boolean> {
    return updateConditionally(this.dynamodb, {
      table: this.table,
      key: key(prefixUri),
      expression,
      condition: 'executionArn = :holder',
      values: { ...values, ':holder': { S: holder } },
    });
  }
}

function key(prefixUri: string): Record<string, AttributeValue> {
  return { [BACKFILL_KEYS.partitionKey]: { S: prefixUri } };
}

function totals(t: BackfillTotals, mark = ''): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(t).map(([k, v]) => [`${mark}${k}`, { N: String(v) }]));
}
