import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { currentTime } from '../clock';
import { type ClaimableRecord, type ClaimDecision, decideClaim } from '../record/claim-decision';
import { FolderRecords } from '../record/record-store';
import {
  type ClaimedFolder,
  executionInput,
  FolderExecutions,
  isExecutionRunning,
  newClaim,
} from './folder-executions';

/** Why a folder cannot be retried now. */
export type RetryRefusal =
  /** The folder has no record: nothing of it was ever ingested. */
  | 'no-record'
  /** Its attempt is PENDING: collecting objects, or about to create its dataset. */
  | 'under-way'
  /** Its dataset exists and is READY. */
  | 'ready'
  /** An execution is creating or indexing its dataset. */
  | 'in-flight'
  /** It is CREATING/INDEXING but its execution has ended: the reconciler must finish it first. */
  | 'stale';

/** What a retry did. */
export type RetryOutcome =
  | { action: 'started'; attempt: number; executionArn: string; previousStatus: string }
  | { action: 'refused'; status: string; why: RetryRefusal; executionArn?: string };

/** A retry refused, or the re-open a retry makes. */
export type RetryAssessment =
  | Extract<RetryOutcome, { action: 'refused' }>
  | { action: 'reopen'; decision: Extract<ClaimDecision, { action: 'reopen' }>; record: ClaimableRecord };

/** Where and how {@link FolderRetry} works. */
export interface FolderRetryOptions {
  dynamodb: DynamoDBClient;
  sfn: SFNClient;
  recordsTable: string;
  stateMachineArn: string;
  clock?: () => Date;
}

/**
 * A person's retry of a folder whose last attempt ended `ERROR`, `TIMED_OUT` or `FAILED` (quiet trigger;
 * `vl-ingest retry`): the next attempt is opened exactly as a new object would open it — the same claim
 * decision, the same conditional re-open of the record (the last outcome kept as `lastStatus`,
 * `lastError`, `lastDatasetId`) and the same execution, named after the folder and a new claim token.
 * Two retries at once open one attempt; a folder that is running or `READY` is refused, never touched.
 */
export class FolderRetry {
  private readonly records: FolderRecords;
  private readonly clock: () => Date;

  constructor(private readonly options: FolderRetryOptions) {
    this.records = new FolderRecords(options.dynamodb, options.recordsTable);
    this.clock = options.clock ?? currentTime;
  }

  /**
   * Whether the folder may be retried now (reads only): why not, or the attempt a retry opens. The
   * marker trigger's retry, which opens it with a new marker event, asks this first too.
   */
  async assess(folderUri: string): Promise<RetryAssessment> {
    const record = await this.records.read(folderUri);
    // A person asking counts as a new object: the attempt opens whatever the ledger holds.
    const decision = decideClaim(record, true);
    if (decision.action === 'reopen' && record) return { action: 'reopen', decision, record };
    if (decision.action === 'claim') return { action: 'refused', status: 'NONE', why: 'no-record' };
    if (decision.action !== 'late') {
      return { action: 'refused', status: record?.status ?? 'PENDING', why: 'under-way' };
    }
    const { status, running } = decision;
    if (status === 'READY') return { action: 'refused', status, why: 'ready' };
    const stale =
      running !== undefined && !(await isExecutionRunning(this.options.sfn, running.executionArn));
    return {
      action: 'refused',
      status,
      why: stale ? 'stale' : 'in-flight',
      executionArn: running?.executionArn,
    };
  }

  /** Opens the folder's next attempt and starts its execution, or says why not. */
  async retry(folder: ClaimedFolder): Promise<RetryOutcome> {
    const { sfn, stateMachineArn } = this.options;
    for (let round = 0; round < 4; round += 1) {
      const assessed = await this.assess(folder.folderUri);
      if (assessed.action === 'refused') return assessed;
      const { decision, record } = assessed;
      const claim = newClaim(stateMachineArn, folder.folderUri, this.clock());
      // Conditional on the record still being on the failed attempt: a lost race reads again.
      if (!(await this.records.reopen(folder.folderUri, folder.datasetName, decision, claim))) continue;
      const input = executionInput(folder, decision.attempt, claim.now);
      const executionArn = await new FolderExecutions(sfn, stateMachineArn).start(input, claim.claimToken);
      if (!executionArn)
        throw new Error(`the execution of ${folder.folderUri}'s new claim exists and has ended`);
      return {
        action: 'started',
        attempt: decision.attempt,
        executionArn,
        previousStatus: record.status ?? 'UNKNOWN',
      };
    }
    throw new Error(`could not retry ${folder.folderUri}: its record kept changing`);
  }
}
