import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionArnOf, executionName, newClaimToken } from '../record/folder-record';
import { type AppendableRecord, type AppendBatch, cutOf, isAfterCut, isInFlight } from './batch';
import { BatchRecords } from './batch-records';

/** What an append execution starts with. */
export interface AppendExecutionInput {
  folderUri: string;
  datasetId: string;
  append: { generation: number; token: string; startedAt: string; settle: boolean };
}

/** What became of a request for a batch. */
export type AppendRequest =
  | { action: 'started'; generation: number; executionArn: string }
  /** A batch is at work: it was told that more objects came, and starts the next when it ends. */
  | { action: 'appending'; generation: number }
  | { action: 'none'; reason: string };

/** Where and how {@link AppendClaims} works. */
export interface AppendClaimsOptions {
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  recordsTable: string;
  stateMachineArn: string;
  clock?: () => Date;
}

/**
 * A claimed batch whose execution does not exist (yet) is left alone this long: its claimer starts
 * it right after the claim. Past it, the batch is taken over under a new token.
 */
export const BATCH_START_GRACE_MS = 60_000;

/**
 * Starts the next append batch of a READY folder, once: the batch is claimed on the folder record
 * (a conditional write), then its execution — named after the folder and the batch's token — is
 * started. A batch at work past collecting is told that more objects came (it starts the next batch
 * when it ends; a collecting one lists them when it sends); a
 * batch whose execution is gone is taken over under a new token, keeping what it did (its manifest,
 * and that it may have posted), so that it never posts twice.
 */
export class AppendClaims {
  readonly records: BatchRecords;
  private readonly clock: () => Date;

  constructor(private readonly options: AppendClaimsOptions) {
    this.records = new BatchRecords(options.dynamodb, options.recordsTable);
    this.clock = options.clock ?? (() => new Date());
  }

  /** Makes sure a batch will send the folder's pending objects; `settle`: the batch waits for quiet first. */
  async request(folderUri: string, settle: boolean): Promise<AppendRequest> {
    for (let round = 0; round < 4; round += 1) {
      const record = await this.records.read(folderUri);
      if (record?.status !== 'READY' || !record.datasetId)
        return { action: 'none', reason: `the folder is ${record?.status ?? 'unknown'}` };
      const current = record.append;
      if (isInFlight(current)) {
        if (await this.isAtWork(current)) {
          // A collecting batch has not listed its objects yet: it will send these too.
          const told = current.status === 'COLLECTING' || current.more;
          if (told || (await this.announceMore(folderUri, current))) {
            return { action: 'appending', generation: current.generation };
          }
          continue;
        }
        const resumed = this.claimOf(record, current.generation, current);
        if (!(await this.records.replace(folderUri, current, resumed, resumed.claimedAt))) continue;
        // A batch past collecting resumes at sending, which asks the task manager before posting.
        return this.start(record, resumed, settle && current.status === 'COLLECTING');
      }
      const batch = this.claimOf(record, (record.generation ?? 1) + 1);
      if (await this.records.claim(record, batch)) return this.start(record, batch, settle);
    }
    throw new Error(`could not claim an append batch of ${folderUri}: its record kept changing`);
  }

  /**
   * {@link request}, for objects just recorded: only those S3 created after the folder was read for
   * its create are new to the dataset (queued events of older objects are not).
   */
  async requestFor(
    folderUri: string,
    objects: readonly { objectAt: string }[],
    settle: boolean,
  ): Promise<AppendRequest> {
    const record = await this.records.read(folderUri);
    const cut = record ? cutOf(record) : undefined;
    if (!objects.some((o) => isAfterCut(o.objectAt, cut)))
      return { action: 'none', reason: 'the objects were in the folder when its dataset was created' };
    return this.request(folderUri, settle);
  }

  /** A new token for a batch: a new batch, or `from` taken over. */
  private claimOf(record: AppendableRecord, generation: number, from?: AppendBatch): AppendBatch {
    const token = newClaimToken();
    const now = this.clock().toISOString();
    const executionArn = executionArnOf(this.options.stateMachineArn, executionName(record.folderUri, token));
    if (from) return { ...from, token, executionArn, claimedAt: now };
    return {
      generation,
      status: 'COLLECTING',
      count: 0,
      startedAt: now,
      claimedAt: now,
      token,
      executionArn,
    };
  }

  private announceMore(folderUri: string, batch: AppendBatch): Promise<boolean> {
    return this.records.replace(folderUri, batch, { ...batch, more: true }, this.clock().toISOString());
  }

  /** Whether the batch's execution runs, or was claimed so recently that it may still be starting. */
  private async isAtWork(batch: AppendBatch): Promise<boolean> {
    try {
      const out = await this.options.sfn.send(
        new DescribeExecutionCommand({ executionArn: batch.executionArn }),
      );
      return out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE';
    } catch (error) {
      if (!(error instanceof ExecutionDoesNotExist)) throw error;
      return this.clock().getTime() - Date.parse(batch.claimedAt) < BATCH_START_GRACE_MS;
    }
  }

  private async start(record: AppendableRecord, batch: AppendBatch, settle: boolean): Promise<AppendRequest> {
    const input: AppendExecutionInput = {
      folderUri: record.folderUri,
      datasetId: record.datasetId as string,
      append: { generation: batch.generation, token: batch.token, startedAt: batch.startedAt, settle },
    };
    const out = await this.options.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.options.stateMachineArn,
        name: executionName(record.folderUri, batch.token),
        input: JSON.stringify(input),
      }),
    );
    return {
      action: 'started',
      generation: batch.generation,
      executionArn: out.executionArn ?? batch.executionArn,
    };
  }
}
