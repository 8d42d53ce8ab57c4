import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { AppendClaims } from '../append/append-claims';
import { currentTime } from '../clock';
import { type ClaimableRecord, decideClaim } from '../record/claim-decision';
import { isRetryable, legacyClaimToken } from '../record/folder-record';
import { type Claim, FolderRecords } from '../record/record-store';
import type { FolderBatch } from './folder-batch';
import { executionInput, FolderExecutions, newClaim } from './folder-executions';
import { readFolderObjects, recordedSince, writeLedgerObjects } from './ledger-store';
import { countInDataset } from './pending';

/**
 * What happened to a folder's batch. `started`: the folder's execution runs; `claimed` when this
 * batch claimed the folder (a new attempt, or a claim renewed because its execution was gone), not
 * when it only found the claim's execution at work.
 */
export type FolderOutcome =
  | { action: 'started'; attempt: number; executionArn?: string; claimed: boolean }
  /** With `append`, what the folder's append batch does about the batch's new objects. */
  | { action: 'late'; status: string; append?: string }
  /** A replay or duplicate of objects a failed folder already had: nothing started. */
  | { action: 'known'; status: string };

/** A batch's objects recorded and its folder claimed: `recorded` objects were new (or newer writes) to the ledger. */
export type FolderIngested = FolderOutcome & { recorded: number };

/** How a batch is claimed, beyond what live events need. */
export interface IngestOptions {
  /** `backfill`: the folder's execution waits for a slot of the gate after live folders. @default live */
  lane?: 'backfill';
  /**
   * A folder whose last attempt failed (ERROR, TIMED_OUT, FAILED) and ended before this instant is
   * claimed again even though nothing new was recorded (the backfill retries failed folders, once per
   * run). @default only a new object reopens a failed folder
   */
  retryEndedBefore?: string;
}

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
  private readonly executions: FolderExecutions;

  constructor(private readonly options: FolderClaimsOptions) {
    this.clock = options.clock ?? currentTime;
    this.executions = new FolderExecutions(options.sfn, options.stateMachineArn);
    this.records = new FolderRecords(options.dynamodb, options.recordsTable);
    if (options.lateObjects === 'append') this.appends = new AppendClaims(options);
  }

  /** Records the batch's objects and starts (or confirms) the folder's execution. */
  async ingest(batch: FolderBatch, options: IngestOptions = {}): Promise<FolderIngested> {
    const { written, inserted } = await writeLedgerObjects(
      this.options.dynamodb,
      this.options.ledgerTable,
      batch,
      { clock: this.clock, trackPending: this.appends !== undefined },
    );
    return { ...(await this.claim(batch, inserted, options)), recorded: written };
  }

  private async claim(
    batch: FolderBatch,
    inserted: FolderBatch['objects'],
    options: IngestOptions,
  ): Promise<FolderOutcome> {
    // Whether this batch renewed the claim (its execution was gone): it then starts the new one.
    let renewed = false;
    for (let round = 0; round < 4; round += 1) {
      const record = await this.records.read(batch.folderUri);
      const recorded = await this.recordedSinceEnd(batch.folderUri, record, options.retryEndedBefore);
      const decision = decideClaim(record, recorded);
      if (decision.action === 'known') return decision;
      if (decision.action === 'start') {
        // Claimed by the state machine itself (marker trigger): the record names its execution.
        if (!decision.claimToken && record?.executionArn) {
          if (await this.executions.isRunning(record.executionArn)) {
            return {
              action: 'started',
              attempt: decision.attempt,
              executionArn: record.executionArn,
              claimed: false,
            };
          }
          renewed = await this.restart(batch, { status: 'PENDING' });
          continue;
        }
        const token = decision.claimToken ?? legacyClaimToken(decision.attempt);
        const input = executionInput(batch, decision.attempt, decision.claimedAt, options.lane);
        const executionArn = await this.executions.start(input, token);
        if (executionArn)
          return { action: 'started', attempt: decision.attempt, executionArn, claimed: renewed };
        // Its execution has ended with the record still PENDING: claim it again.
        renewed = await this.restart(batch, { status: 'PENDING', claimToken: decision.claimToken });
        continue;
      }
      if (decision.action === 'late') {
        if (decision.settledAt)
          await this.recount(batch.folderUri, record?.datasetCreatedAt ?? decision.settledAt);
        const { running } = decision;
        if (running && !(await this.executions.isRunning(running.executionArn))) {
          renewed = await this.restart(batch, { status: decision.status, claimToken: running.claimToken });
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
      const input = executionInput(batch, decision.attempt, claim.now, options.lane);
      const executionArn = await this.executions.start(input, claim.claimToken);
      if (executionArn) return { action: 'started', attempt: decision.attempt, executionArn, claimed: true };
    }
    throw new Error(`could not claim ${batch.folderUri}: its record kept changing`);
  }

  private newClaim(folderUri: string): Claim {
    return newClaim(this.options.stateMachineArn, folderUri, this.clock());
  }

  /** Claims a folder again whose execution has ended, under a new token (false: a lost race, read again). */
  private restart(batch: FolderBatch, from: { status: string; claimToken?: string }): Promise<boolean> {
    return this.records.restart(batch.folderUri, from, this.newClaim(batch.folderUri));
  }

  /**
   * For a folder whose last attempt failed: whether the ledger recorded an object after that attempt
   * ended. Only such an object (not a replay or a duplicate delivery) may open a new attempt — or,
   * for the backfill, an attempt that ended before `retryEndedBefore`.
   */
  private async recordedSinceEnd(
    folderUri: string,
    record: ClaimableRecord | undefined,
    retryEndedBefore?: string,
  ): Promise<boolean> {
    if (!record || !isRetryable(record.status)) return true;
    const end = record.finishedAt ?? record.updatedAt;
    if (!end) return true;
    if (retryEndedBefore && Date.parse(end) < Date.parse(retryEndedBefore)) return true;
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
