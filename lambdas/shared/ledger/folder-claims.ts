import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionName, isRetryable, RETRYABLE_STATUS_VALUES, reopenUpdate } from '../record/folder-record';
import type { FolderBatch } from './folder-batch';
import { readFolderObjects, writeLedgerObjects } from './ledger-store';

/** What a folder's execution starts with. Identical for every batch of the same attempt. */
export interface FolderExecutionInput {
  folderUri: string;
  bucket: string;
  folderKey: string;
  datasetName: string;
  attempt: number;
  claimedAt: string;
}

/** What happened to a folder's batch. */
export type FolderOutcome =
  | { action: 'started'; attempt: number; executionArn?: string }
  | { action: 'late'; status: string };

/** Where and how {@link FolderClaims} works. */
export interface FolderClaimsOptions {
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  recordsTable: string;
  ledgerTable: string;
  stateMachineArn: string;
  clock?: () => Date;
}

/**
 * The quiet trigger's per-batch work for one folder: remember its objects in the ledger (idempotent
 * puts, 25 per request), claim the folder once per attempt, and make sure the folder's execution is
 * running. The execution name is derived from the folder and the attempt, so every batch of a drop
 * starts the same single execution; Step Functions answers a repeated start with the running one.
 */
export class FolderClaims {
  private readonly clock: () => Date;

  constructor(private readonly options: FolderClaimsOptions) {
    this.clock = options.clock ?? (() => new Date());
  }

  /** Records the batch's objects and starts (or confirms) the folder's execution. */
  async ingest(batch: FolderBatch): Promise<FolderOutcome> {
    await writeLedgerObjects(this.options.dynamodb, this.options.ledgerTable, batch, this.clock);
    for (let round = 0; round < 3; round += 1) {
      const record = await this.readRecord(batch.folderUri);
      const status = record?.status?.S;
      if (!record) {
        const claimed = await this.claimNew(batch);
        if (claimed) return this.start(claimed);
        continue;
      }
      const attempt = Number(record.attempts?.N ?? '1');
      if (status === 'PENDING') {
        return this.start(inputFrom(batch, attempt, record.claimedAt?.S ?? record.createdAt?.S ?? ''));
      }
      if (isRetryable(status)) {
        const reopened = await this.reopen(batch, attempt, record);
        if (reopened) return this.start(reopened);
        continue;
      }
      await this.recountSettled(batch.folderUri, record);
      return { action: 'late', status: status ?? 'UNKNOWN' };
    }
    throw new Error(`could not claim ${batch.folderUri}: its record kept changing`);
  }

  /**
   * A batch that reaches a folder after its dataset was created: its objects may still have been in
   * S3 at creation (their events were queued), so the record's count is made again from the ledger —
   * objects S3 created by `settledAt` are in the dataset, later ones are `lateObjectCount`. The update
   * only ever raises the counts, so concurrent batches cannot lower them.
   */
  private async recountSettled(
    folderUri: string,
    record: Record<string, { S?: string; N?: string }>,
  ): Promise<void> {
    const settledAt = record.settledAt?.S;
    if (!settledAt) return;
    const counts = await readFolderObjects(
      this.options.dynamodb,
      this.options.ledgerTable,
      folderUri,
      settledAt,
    );
    try {
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.recordsTable,
          Key: { folderUri: { S: folderUri } },
          UpdateExpression: 'SET objectCount = :count, lateObjectCount = :late, lastObjectAt = :last',
          ConditionExpression:
            'attribute_exists(settledAt) AND (objectCount < :count OR attribute_not_exists(lateObjectCount) OR lateObjectCount < :late)',
          ExpressionAttributeValues: {
            ':count': { N: String(counts.objectCount) },
            ':late': { N: String(counts.lateCount) },
            ':last': { S: counts.lastObjectAt ?? settledAt },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async readRecord(folderUri: string) {
    const out = await this.options.dynamodb.send(
      new GetItemCommand({
        TableName: this.options.recordsTable,
        Key: { folderUri: { S: folderUri } },
        ConsistentRead: true,
      }),
    );
    return out.Item;
  }

  /** First drop of a folder: creates its record. False when another batch got there first. */
  private async claimNew(batch: FolderBatch): Promise<FolderExecutionInput | undefined> {
    const now = this.clock().toISOString();
    try {
      await this.options.dynamodb.send(
        new PutItemCommand({
          TableName: this.options.recordsTable,
          Item: {
            folderUri: { S: batch.folderUri },
            status: { S: 'PENDING' },
            datasetName: { S: batch.datasetName },
            attempts: { N: '1' },
            claimedAt: { S: now },
            createdAt: { S: now },
            updatedAt: { S: now },
          },
          ConditionExpression: 'attribute_not_exists(folderUri)',
        }),
      );
      return inputFrom(batch, 1, now);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** A new drop into a failed folder: next attempt, keeping the last one's outcome. */
  private async reopen(
    batch: FolderBatch,
    attempt: number,
    record: Record<string, { S?: string; N?: string; M?: unknown }>,
  ): Promise<FolderExecutionInput | undefined> {
    const now = this.clock().toISOString();
    const update = reopenUpdate(record.datasetId !== undefined, {
      set: ['attempts = :next'],
      condition: 'attempts = :attempt',
    });
    try {
      await this.options.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.options.recordsTable,
          Key: { folderUri: { S: batch.folderUri } },
          UpdateExpression: update.updateExpression,
          ConditionExpression: update.conditionExpression,
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: {
            ':pending': { S: 'PENDING' },
            ':next': { N: String(attempt + 1) },
            ':attempt': { N: String(attempt) },
            ':now': { S: now },
            ':name': { S: batch.datasetName },
            ...Object.fromEntries(Object.entries(RETRYABLE_STATUS_VALUES).map(([k, v]) => [k, { S: v }])),
          },
        }),
      );
      return inputFrom(batch, attempt + 1, now);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  private async start(input: FolderExecutionInput): Promise<FolderOutcome> {
    try {
      const out = await this.options.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.stateMachineArn,
          name: executionName(input.folderUri, input.attempt),
          input: JSON.stringify(input),
        }),
      );
      return { action: 'started', attempt: input.attempt, executionArn: out.executionArn };
    } catch (error) {
      // The attempt's execution already ran to its end: its record says how, nothing to start.
      if (error instanceof ExecutionAlreadyExists) return { action: 'started', attempt: input.attempt };
      throw error;
    }
  }
}

function inputFrom(batch: FolderBatch, attempt: number, claimedAt: string): FolderExecutionInput {
  return {
    folderUri: batch.folderUri,
    bucket: batch.bucket,
    folderKey: batch.folderKey,
    datasetName: batch.datasetName,
    attempt,
    claimedAt,
  };
}
