import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { type ClaimableRecord, type ClaimDecision, decideClaim } from '../record/claim-decision';
import {
  attributeNames,
  executionName,
  isRetryable,
  RETRYABLE_STATUS_VALUES,
  type RecordStatus,
  reopenUpdate,
} from '../record/folder-record';
import type { FolderBatch } from './folder-batch';
import { readFolderObjects, recordedSince, writeLedgerObjects } from './ledger-store';

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
  | { action: 'late'; status: string }
  /** A replay or duplicate of objects a failed folder already had: nothing started. */
  | { action: 'known'; status: string };

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
      const decision = decideClaim(record, await this.recordedSinceEnd(batch.folderUri, record));
      if (decision.action === 'start') {
        return this.start(inputFrom(batch, decision.attempt, decision.claimedAt));
      }
      if (decision.action === 'known') return { action: 'known', status: decision.status };
      if (decision.action === 'late') {
        if (decision.settledAt) await this.recountSettled(batch.folderUri, decision.settledAt);
        return { action: 'late', status: decision.status };
      }
      // Both writes are conditional: when another batch changed the record first, read it again.
      const claimed =
        decision.action === 'claim' ? await this.claimNew(batch) : await this.reopen(batch, decision);
      if (claimed) return this.start(claimed);
    }
    throw new Error(`could not claim ${batch.folderUri}: its record kept changing`);
  }

  /**
   * For a folder whose last attempt failed: whether the ledger recorded an object after that attempt
   * ended. Only such an object (not a replay or a duplicate delivery) may open a new attempt.
   */
  private async recordedSinceEnd(folderUri: string, record: ClaimableRecord | undefined): Promise<boolean> {
    if (!record || !isRetryable(record.status)) return true;
    const end = record.finishedAt ?? record.updatedAt;
    if (!end) return true;
    return recordedSince(this.options.dynamodb, this.options.ledgerTable, folderUri, end);
  }

  /**
   * A batch that reaches a folder after its dataset was created: its objects may still have been in
   * S3 at creation (their events were queued), so the record's count is made again from the ledger —
   * objects S3 created by `settledAt` are in the dataset, later ones are `lateObjectCount`. The update
   * only ever raises the counts, so concurrent batches cannot lower them.
   */
  private async recountSettled(folderUri: string, settledAt: string): Promise<void> {
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

  private async readRecord(folderUri: string): Promise<ClaimableRecord | undefined> {
    const out = await this.options.dynamodb.send(
      new GetItemCommand({
        TableName: this.options.recordsTable,
        Key: { folderUri: { S: folderUri } },
        ConsistentRead: true,
      }),
    );
    const item = out.Item;
    if (!item) return undefined;
    return {
      status: item.status?.S,
      attempts: item.attempts?.N === undefined ? undefined : Number(item.attempts.N),
      claimedAt: item.claimedAt?.S,
      createdAt: item.createdAt?.S,
      settledAt: item.settledAt?.S,
      datasetId: item.datasetId?.S,
      finishedAt: item.finishedAt?.S,
      updatedAt: item.updatedAt?.S,
    };
  }

  /** First drop of a folder: creates its record. Undefined when another batch got there first. */
  private claimNew(batch: FolderBatch): Promise<FolderExecutionInput | undefined> {
    const now = this.clock().toISOString();
    return unlessConditionFails(
      new PutItemCommand({
        TableName: this.options.recordsTable,
        Item: {
          folderUri: { S: batch.folderUri },
          status: { S: 'PENDING' satisfies RecordStatus },
          datasetName: { S: batch.datasetName },
          attempts: { N: '1' },
          claimedAt: { S: now },
          createdAt: { S: now },
          updatedAt: { S: now },
        },
        ConditionExpression: 'attribute_not_exists(folderUri)',
      }),
      this.options.dynamodb,
      () => inputFrom(batch, 1, now),
    );
  }

  /** A new drop into a failed folder: next attempt, keeping the last one's outcome. */
  private reopen(
    batch: FolderBatch,
    decision: Extract<ClaimDecision, { action: 'reopen' }>,
  ): Promise<FolderExecutionInput | undefined> {
    const now = this.clock().toISOString();
    const update = reopenUpdate(decision.hadDataset, {
      set: ['attempts = :next'],
      condition: 'attempts = :attempt',
    });
    return unlessConditionFails(
      new UpdateItemCommand({
        TableName: this.options.recordsTable,
        Key: { folderUri: { S: batch.folderUri } },
        UpdateExpression: update.updateExpression,
        ConditionExpression: update.conditionExpression,
        ExpressionAttributeNames: attributeNames(update.updateExpression, update.conditionExpression),
        ExpressionAttributeValues: {
          ':pending': { S: 'PENDING' satisfies RecordStatus },
          ':next': { N: String(decision.attempt) },
          ':attempt': { N: String(decision.previousAttempt) },
          ':now': { S: now },
          ':name': { S: batch.datasetName },
          ...Object.fromEntries(Object.entries(RETRYABLE_STATUS_VALUES).map(([k, v]) => [k, { S: v }])),
        },
      }),
      this.options.dynamodb,
      () => inputFrom(batch, decision.attempt, now),
    );
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

/** Sends a conditional write: `then()` when it holds, undefined when its condition fails. */
async function unlessConditionFails<T>(
  command: PutItemCommand | UpdateItemCommand,
  dynamodb: DynamoDBClient,
  then: () => T,
): Promise<T | undefined> {
  try {
    await dynamodb.send(command as UpdateItemCommand);
    return then();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
