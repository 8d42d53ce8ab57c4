import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { AppendClaims } from '../append/append-claims';
import { currentTime } from '../clock';
import { type ClaimableRecord, decideClaim } from '../record/claim-decision';
import { isRetryable, legacyClaimToken } from '../record/folder-record';
import { type Claim, FolderRecords } from '../record/record-store';
import type { FolderBatch } from './folder-batch';
import {
  executionInput,
  type FolderExecutionInput,
  isExecutionRunning,
  newClaim,
  startClaimedExecution,
} from './folder-execution';
import { readFolderObjects, recordedSince, writeLedgerObjects } from './ledger-store';
import { countInDataset } from './pending';

export type { FolderExecutionInput } from './folder-execution';

/** What happened to a folder's batch. */
export type FolderOutcome =
  | { action: 'started'; attempt: number; executionArn?: string }
  /** With `append`, what the folder's append batch does about the batch's new objects. */
  | { action: 'late'; status: string; append?: string }
  /** A replay or duplicate of objects a failed folder already had: nothing started. */
  | { action: 'known'; status: string };

/** Where and how {@link FolderClaims} works. */
export interface FolderClaimsOptions {
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  recordsTable: string;
  ledgerTable: string;
  stateMachineArn: string;
  /** `append`: objects new to a READY folder go to its dataset in an append batch. @default ignore */
  lateObjects?: 'append' | 'ignore';
  clock?: () => Date;
}

/**
 * The quiet trigger's per-batch work for one folder: remember its objects in the ledger, claim the
 * folder once per attempt, and make sure the claim's execution is running. The execution is named
 * after the folder and the claim token stored in the record, so every batch of a drop starts the same
 * single execution (Step Functions answers a repeated start with the running one). When that
 * execution is gone (it ended without finishing the folder, or the record was deleted and made
 * anew), the folder is claimed again under a new token; a dataset it already has is resumed.
 */
export class FolderClaims {
  private readonly clock: () => Date;
  private readonly records: FolderRecords;
  private readonly appends?: AppendClaims;

  constructor(private readonly options: FolderClaimsOptions) {
    this.clock = options.clock ?? currentTime;
    this.records = new FolderRecords(options.dynamodb, options.recordsTable);
    if (options.lateObjects === 'append') this.appends = new AppendClaims(options);
  }

  /** Records the batch's objects and starts (or confirms) the folder's execution. */
  async ingest(batch: FolderBatch): Promise<FolderOutcome> {
    const { inserted } = await writeLedgerObjects(this.options.dynamodb, this.options.ledgerTable, batch, {
      clock: this.clock,
      trackPending: this.appends !== undefined,
    });
    for (let round = 0; round < 4; round += 1) {
      const record = await this.records.read(batch.folderUri);
      const decision = decideClaim(record, await this.recordedSinceEnd(batch.folderUri, record));
      if (decision.action === 'known') return decision;
      if (decision.action === 'start') {
        const token = decision.claimToken ?? legacyClaimToken(decision.attempt);
        const input = executionInput(batch, decision.attempt, decision.claimedAt);
        const started = await this.start(input, token);
        if (started) return started;
        // Its execution has ended with the record still PENDING: claim it again.
        await this.restart(batch, { status: 'PENDING', claimToken: decision.claimToken });
        continue;
      }
      if (decision.action === 'late') {
        if (decision.settledAt)
          await this.recount(batch.folderUri, record?.datasetCreatedAt ?? decision.settledAt);
        const { running } = decision;
        if (running && !(await this.isRunning(running.executionArn))) {
          await this.restart(batch, { status: decision.status, claimToken: running.claimToken });
          continue;
        }
        // Objects new to a READY folder go to its dataset; during CREATING/INDEXING, after it.
        if (this.appends && decision.status === 'READY' && inserted.length > 0) {
          const append = await this.appends.requestFor(batch.folderUri, inserted, true);
          return { action: 'late', status: decision.status, append: append.action };
        }
        return { action: 'late', status: decision.status };
      }
      // Both writes are conditional: when another batch changed the record first, read it again.
      const claim = this.newClaim(batch.folderUri);
      const claimed =
        decision.action === 'claim'
          ? await this.records.claimNew(batch.folderUri, batch.datasetName, claim, seenIn(batch))
          : await this.records.reopen(batch.folderUri, batch.datasetName, decision, claim);
      if (!claimed) continue;
      const started = await this.start(executionInput(batch, decision.attempt, claim.now), claim.claimToken);
      if (started) return started;
    }
    throw new Error(`could not claim ${batch.folderUri}: its record kept changing`);
  }

  private newClaim(folderUri: string): Claim {
    return newClaim(this.options.stateMachineArn, folderUri, this.clock());
  }

  /** Claims a folder again whose execution has ended, under a new token (a lost race reads again). */
  private async restart(batch: FolderBatch, from: { status: string; claimToken?: string }): Promise<void> {
    await this.records.restart(batch.folderUri, from, this.newClaim(batch.folderUri));
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
   * S3 at creation (their events were queued), so the record's count is made again from the ledger.
   * With appends, `objectCount` counts the objects in the dataset (those S3 created by `until`, and
   * those sent since); without, objects S3 created later count as `lateObjectCount`.
   */
  private async recount(folderUri: string, until: string): Promise<void> {
    const { dynamodb, ledgerTable } = this.options;
    if (this.appends) {
      await this.records.raiseObjectCount(
        folderUri,
        await countInDataset(dynamodb, ledgerTable, folderUri, until),
      );
      return;
    }
    const counts = await readFolderObjects(dynamodb, ledgerTable, folderUri, until);
    await this.records.recount(folderUri, { ...counts, lastObjectAt: counts.lastObjectAt ?? until });
  }

  /** Starts the claim's execution, or confirms it runs; undefined when its name is taken by one that ended. */
  private async start(input: FolderExecutionInput, claimToken: string): Promise<FolderOutcome | undefined> {
    const started = await startClaimedExecution(
      this.options.sfn,
      this.options.stateMachineArn,
      input,
      claimToken,
    );
    return started && { action: 'started', attempt: input.attempt, executionArn: started.executionArn };
  }

  private isRunning(executionArn: string): Promise<boolean> {
    return isExecutionRunning(this.options.sfn, executionArn);
  }
}

/** How many objects a batch holds, and the S3 times of its oldest and newest. */
function seenIn(batch: FolderBatch): { objectCount: number; firstObjectAt: string; lastObjectAt: string } {
  const times = batch.objects.map((o) => o.objectAt).sort();
  return {
    objectCount: batch.objects.length,
    firstObjectAt: times[0] ?? '',
    lastObjectAt: times.at(-1) ?? '',
  };
}
