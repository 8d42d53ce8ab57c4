import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { confirmPending, markSent, type PendingObject, pendingCandidates } from '../ledger/pending';
import type { PollLimits } from '../polling/poll';
import type { VisualLayerClient } from '../visual-layer/client';
import { AppendClaims, type AppendRequest } from './append-claims';
import { type AppendableRecord, type AppendBatch, cutOf, isAfterCut, isInFlight } from './batch';
import { fitsManifest, Manifests } from './manifest';

/** Everything a batch step works with. */
export interface BatchContextOptions {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sfn: SFNClient;
  client: VisualLayerClient;
  recordsTable: string;
  ledgerTable: string;
  manifestsBucket: string;
  /** The state machine whose executions run the batches. */
  stateMachineArn: string;
  /** `auto`: add_media re-indexes (`auto_reindex=true`); `manual`: the batch ends at PARTIAL INDEX. */
  reindex: 'auto' | 'manual';
  polling: PollLimits;
  clock?: () => Date;
}

/** A batch as the state machine names it. */
export interface BatchRef {
  folderUri: string;
  datasetId: string;
  generation: number;
  token: string;
}

/** Objects marked as in the dataset since the create, at most, per call (the rest on later calls). */
const MARK_KNOWN_AT_ONCE = 10_000;

/**
 * What the batch steps share: the clients, the record's batch read and written under its token, and
 * the folder's pending objects split at the cut into those the create already gave Visual Layer
 * (marked generation 1 as they are met) and those a batch must send.
 */
export class BatchContext {
  readonly claims: AppendClaims;
  readonly manifests: Manifests;
  readonly clock: () => Date;

  constructor(readonly options: BatchContextOptions) {
    this.claims = new AppendClaims(options);
    this.manifests = new Manifests(options.s3, options.manifestsBucket);
    this.clock = options.clock ?? (() => new Date());
  }

  /** The record, and its batch when it is still `ref`'s and at work; undefined batch: superseded. */
  async current(ref: BatchRef): Promise<{ record?: AppendableRecord; batch?: AppendBatch }> {
    const record = await this.claims.records.read(ref.folderUri);
    const batch = record?.append;
    return { record, batch: batch?.token === ref.token && isInFlight(batch) ? batch : undefined };
  }

  /**
   * Changes the batch in the record (read again, conditionally written; a write that loses to an
   * announcement of more objects reads again). Undefined when the batch is no longer `ref`'s.
   */
  async update(ref: BatchRef, change: (batch: AppendBatch) => AppendBatch): Promise<AppendBatch | undefined> {
    for (let round = 0; round < 4; round += 1) {
      const { batch } = await this.current(ref);
      if (!batch) return undefined;
      const next = change(batch);
      if (await this.claims.records.replace(ref.folderUri, batch, next, this.now())) return next;
    }
    throw new Error(`could not update the append batch of ${ref.folderUri}: its record kept changing`);
  }

  /**
   * The folder's objects a batch must send: pending, S3-created after the cut, listable in a manifest.
   * With `markKnown`, pending objects from before the cut — in the folder when Visual Layer read it for
   * the create — are marked as generation 1 on the way (at most {@link MARK_KNOWN_AT_ONCE} a call).
   */
  async toSend(record: AppendableRecord, markKnown = false): Promise<PendingObject[]> {
    const { dynamodb, ledgerTable } = this.options;
    const candidates = await pendingCandidates(dynamodb, ledgerTable, record.folderUri);
    const cut = cutOf(record);
    if (markKnown) {
      const known = candidates.filter((c) => !isAfterCut(c.addedAt, cut)).map((c) => c.key);
      await markSent(dynamodb, ledgerTable, record.folderUri, known.slice(0, MARK_KNOWN_AT_ONCE), 1);
    }
    // A key with a line break cannot be a line of a .txt manifest: it stays pending, never sent.
    const after = candidates
      .filter((c) => isAfterCut(c.addedAt, cut) && fitsManifest(c.key))
      .map((c) => c.key);
    const confirmed = await confirmPending(dynamodb, ledgerTable, record.folderUri, after);
    return confirmed.filter((p) => isAfterCut(p.addedAt, cut));
  }

  /**
   * Starts the folder's next batch when it has objects to send, or when `more` says objects arrived
   * during the batch that just ended; a batch at work is told instead.
   */
  async next(folderUri: string, settle: boolean, more?: boolean): Promise<AppendRequest> {
    const record = await this.claims.records.read(folderUri);
    if (record?.status !== 'READY') return { action: 'none', reason: `the folder is ${record?.status}` };
    if (!more && !isInFlight(record.append) && (await this.toSend(record)).length === 0) {
      return { action: 'none', reason: 'nothing to send' };
    }
    return this.claims.request(folderUri, settle);
  }

  now(): string {
    return this.clock().toISOString();
  }
}
