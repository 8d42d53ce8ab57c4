import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/** Keys of the gate table: one partition for the semaphore, one for the waiting list. */
export const GATE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

const SLOTS = { pk: { S: 'slots' }, sk: { S: 'datasets' } };
const WAITING = 'waiting';

/** Which waiters go first: live folders before the backfill. */
export type WaitingLane = 'live' | 'backfill';
const LANE_ORDER: Record<WaitingLane, string> = { live: '1', backfill: '2' };

/** An execution parked until a slot comes free, with the token that resumes it. */
export interface Waiter {
  executionArn: string;
  token: string;
  folderUri: string;
  lane: WaitingLane;
  /** When it parked (ISO 8601): arrival order within its lane. */
  parkedAt: string;
}

/** What taking a slot for an execution did. */
export type TakeResult = 'taken' | 'held' | 'full';

/**
 * The gate's two items in DynamoDB: the semaphore (`inFlight`, a counter, and `holders`, the
 * execution ARNs that hold a slot, changed together by conditional updates) and the waiting list
 * (one item per parked execution, sorted by lane then arrival).
 */
export class GateStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    /** Slots there are: at most this many executions hold one at once. */
    readonly limit: number,
  ) {}

  /**
   * Takes a slot for an execution, if one is free and it holds none: `taken`; `held` when it
   * already holds one (a retried or repeated take); `full` otherwise.
   */
  async take(executionArn: string): Promise<TakeResult> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: SLOTS,
          UpdateExpression: 'ADD holders :arns, inFlight :one',
          ConditionExpression:
            '(attribute_not_exists(inFlight) OR inFlight < :limit) AND NOT contains(holders, :arn)',
          ExpressionAttributeValues: {
            ':arns': { SS: [executionArn] },
            ':arn': { S: executionArn },
            ':one': { N: '1' },
            ':limit': { N: String(this.limit) },
          },
        }),
      );
      return 'taken';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.holders()).includes(executionArn) ? 'held' : 'full';
    }
  }

  /** Gives back the slot an execution holds; false when it held none. */
  async release(executionArn: string): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: SLOTS,
          UpdateExpression: 'DELETE holders :arns ADD inFlight :minusOne',
          ConditionExpression: 'contains(holders, :arn)',
          ExpressionAttributeValues: {
            ':arns': { SS: [executionArn] },
            ':arn': { S: executionArn },
            ':minusOne': { N: '-1' },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** The executions that hold a slot (consistent read). */
  async holders(): Promise<string[]> {
    const out = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.table, Key: SLOTS, ConsistentRead: true }),
    );
    return out.Item?.holders?.SS ?? [];
  }

  /** Puts an execution on the waiting list. */
  async addWaiter(waiter: Waiter): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: { S: WAITING },
          sk: { S: sortKey(waiter) },
          executionArn: { S: waiter.executionArn },
          token: { S: waiter.token },
          folderUri: { S: waiter.folderUri },
          lane: { S: waiter.lane },
          parkedAt: { S: waiter.parkedAt },
        },
      }),
    );
  }

  /** The waiter whose turn is next, if any. */
  async firstWaiter(): Promise<Waiter | undefined> {
    const [first] = await this.queryWaiters(1);
    return first;
  }

  /** Every waiter, in turn order. */
  async waiters(): Promise<Waiter[]> {
    return this.queryWaiters();
  }

  /** Takes a waiter off the list (whether or not it is still there). */
  async removeWaiter(waiter: Waiter): Promise<void> {
    await this.dynamodb.send(
      new DeleteItemCommand({
        TableName: this.table,
        Key: { pk: { S: WAITING }, sk: { S: sortKey(waiter) } },
      }),
    );
  }

  private async queryWaiters(limit?: number): Promise<Waiter[]> {
    const found: Waiter[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.dynamodb.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :waiting',
          ExpressionAttributeValues: { ':waiting': { S: WAITING } },
          ConsistentRead: true,
          Limit: limit,
          ExclusiveStartKey: startKey,
        }),
      );
      found.push(...(out.Items ?? []).map(waiterOf));
      startKey = limit === undefined ? out.LastEvaluatedKey : undefined;
    } while (startKey);
    return found;
  }
}

/** Lane first, then arrival, then the execution (two parked in the same millisecond). */
function sortKey(waiter: Waiter): string {
  return `${LANE_ORDER[waiter.lane]}#${waiter.parkedAt}#${waiter.executionArn}`;
}

function waiterOf(item: Record<string, AttributeValue>): Waiter {
  const text = (name: string) => item[name]?.S ?? '';
  return {
    executionArn: text('executionArn'),
    token: text('token'),
    folderUri: text('folderUri'),
    lane: text('lane') === 'backfill' ? 'backfill' : 'live',
    parkedAt: text('parkedAt'),
  };
}
