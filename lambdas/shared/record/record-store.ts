import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { recordKey, updateConditionally, writeConditionally } from '../conditional-write';
import type { ClaimableRecord } from './claim-decision';
import {
  attributeNames,
  RECORD_KEYS,
  RETRYABLE_STATUS_VALUES,
  type RecordStatus,
  reopenUpdate,
  updateExpression,
} from './folder-record';

/** A claim of a folder: the token that names its execution, and when it was made. */
export interface Claim {
  claimToken: string;
  executionArn: string;
  now: string;
}

const PENDING = { S: 'PENDING' satisfies RecordStatus };

/**
 * The folding function's reads and writes of folder records. Every write is conditional on the
 * record being as it was read, so a batch that loses a race reads the record again.
 */
export class FolderRecords {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** The parts of a folder's record that decide what a batch does (consistent read). */
  async read(folderUri: string): Promise<ClaimableRecord | undefined> {
    const out = await this.dynamodb.send(
      new GetItemCommand({ TableName: this.table, Key: recordKey(folderUri), ConsistentRead: true }),
    );
    const item = out.Item;
    if (!item) return undefined;
    const text = (name: string) => item[name]?.S;
    return {
      status: text('status'),
      attempts: item.attempts?.N === undefined ? undefined : Number(item.attempts.N),
      claimedAt: text('claimedAt'),
      createdAt: text('createdAt'),
      settledAt: text('settledAt'),
      datasetCreatedAt: text('datasetCreatedAt'),
      datasetId: text('datasetId'),
      claimToken: text('claimToken'),
      executionArn: text('executionArn'),
      finishedAt: text('finishedAt'),
      updatedAt: text('updatedAt'),
    };
  }

  /** The dataset the folder's current attempt already has, if any (consistent read). */
  async datasetIdOf(folderUri: string): Promise<string | undefined> {
    const out = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.table,
        Key: recordKey(folderUri),
        ConsistentRead: true,
        ProjectionExpression: 'datasetId',
      }),
    );
    return out.Item?.datasetId?.S;
  }

  /**
   * First drop of a folder: creates its record, PENDING on attempt 1, showing the objects of the batch
   * that claimed it (the settle step keeps them up to date). False when the record exists already.
   */
  claimNew(
    folderUri: string,
    datasetName: string,
    claim: Claim,
    seen: { objectCount: number; firstObjectAt: string; lastObjectAt: string },
  ): Promise<boolean> {
    return writeConditionally(
      this.dynamodb,
      new PutItemCommand({
        TableName: this.table,
        Item: {
          ...recordKey(folderUri),
          status: PENDING,
          datasetName: { S: datasetName },
          attempts: { N: '1' },
          claimToken: { S: claim.claimToken },
          executionArn: { S: claim.executionArn },
          claimedAt: { S: claim.now },
          objectCount: { N: String(seen.objectCount) },
          firstObjectAt: { S: seen.firstObjectAt },
          lastObjectAt: { S: seen.lastObjectAt },
          createdAt: { S: claim.now },
          updatedAt: { S: claim.now },
        },
        ConditionExpression: `attribute_not_exists(${RECORD_KEYS.partitionKey})`,
      }),
    );
  }

  /** A new drop into a failed folder: opens `attempt`, keeping the last one's outcome. */
  reopen(
    folderUri: string,
    datasetName: string,
    reopening: { attempt: number; previousAttempt: number; hadDataset: boolean },
    claim: Claim,
  ): Promise<boolean> {
    const update = reopenUpdate(reopening.hadDataset, {
      set: ['attempts = :next', 'claimToken = :token', 'executionArn = :arn'],
      condition: 'attempts = :attempt',
    });
    return this.update(folderUri, update.updateExpression, update.conditionExpression, {
      ':pending': PENDING,
      ':next': { N: String(reopening.attempt) },
      ':attempt': { N: String(reopening.previousAttempt) },
      ':now': { S: claim.now },
      ':name': { S: datasetName },
      ':token': { S: claim.claimToken },
      ':arn': { S: claim.executionArn },
      ...Object.fromEntries(Object.entries(RETRYABLE_STATUS_VALUES).map(([k, v]) => [k, { S: v }])),
    });
  }

  /**
   * Claims a folder again whose execution has ended without finishing it: the same attempt, PENDING
   * again under a new claim token; what it has (a `datasetId` above all) is kept, so the new execution
   * resumes that dataset instead of creating another.
   */
  restart(folderUri: string, from: { status: string; claimToken?: string }, claim: Claim): Promise<boolean> {
    const expression = updateExpression({
      set: [
        '#status = :pending',
        'claimToken = :token',
        'executionArn = :arn',
        'claimedAt = :now',
        'updatedAt = :now',
      ],
    });
    // A record claimed before tokens existed has none; its execution was named by attempt.
    const sameClaim = from.claimToken ? 'claimToken = :old' : 'attribute_not_exists(claimToken)';
    return this.update(folderUri, expression, `#status = :from AND ${sameClaim}`, {
      ':pending': PENDING,
      ':from': { S: from.status },
      ...(from.claimToken ? { ':old': { S: from.claimToken } } : {}),
      ':token': { S: claim.claimToken },
      ':arn': { S: claim.executionArn },
      ':now': { S: claim.now },
    });
  }

  /**
   * Raises a settled folder's counts to what the ledger says (objects S3 created by `settledAt`, and
   * later ones as `lateObjectCount`); never lowers them, so concurrent batches cannot undo each other.
   */
  async recount(folderUri: string, counts: { objectCount: number; lateCount: number; lastObjectAt: string }) {
    await this.update(
      folderUri,
      'SET objectCount = :count, lateObjectCount = :late, lastObjectAt = :last',
      'attribute_exists(settledAt) AND (objectCount < :count OR attribute_not_exists(lateObjectCount) OR lateObjectCount < :late)',
      {
        ':count': { N: String(counts.objectCount) },
        ':late': { N: String(counts.lateCount) },
        ':last': { S: counts.lastObjectAt },
      },
    );
  }

  /** Raises a settled folder's `objectCount` to `count` (objects in its dataset); never lowers it. */
  async raiseObjectCount(folderUri: string, count: number): Promise<void> {
    await this.update(
      folderUri,
      'SET objectCount = :count',
      'attribute_exists(settledAt) AND (attribute_not_exists(objectCount) OR objectCount < :count)',
      { ':count': { N: String(count) } },
    );
  }

  private update(
    folderUri: string,
    expression: string,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<boolean> {
    return updateConditionally(this.dynamodb, {
      table: this.table,
      key: recordKey(folderUri),
      expression,
      condition,
      values,
      names: attributeNames(expression, condition),
    });
  }
}
