/**
 * The object ledger's DynamoDB I/O: one item per object of a folder (partition `folderUri`, sort
 * `objectKey`), written by the folding function and read by the settle step and late batches.
 */

import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { currentTime } from '../clock';
import { writeConditionally } from '../conditional-write';
import type { FolderBatch, LedgerObject } from './folder-batch';
import { LEDGER_KEYS } from './pending';
import { queryPages } from './query-pages';
import { ledgerSequencer } from './sequencer';
import { type LedgerEntry, type LedgerSummary, summariseFolderObjects } from './settle';

/** Ledger writes in flight at once for one folder (the function works on up to ten folders at once, and the SDK keeps 50 sockets). */
const WRITES_AT_ONCE = 4;
const PENDING_ATTRIBUTE = LEDGER_KEYS.pendingAttribute;

/** What a batch of ledger writes did. */
export interface LedgerWrites {
  /** Objects new to the folder or newer writes of known ones. */
  written: number;
  /** Objects new to the folder (with `trackPending`: recorded as not yet sent to Visual Layer). */
  inserted: LedgerObject[];
}

/** How objects are written. */
export interface LedgerWriteOptions {
  clock?: () => Date;
  /**
   * Record a new object as not yet sent (`pendingFolder`, the sparse pending index), so a later batch
   * adds it to the folder's dataset. A newer write of a known object never changes whether it was sent.
   * @default false
   */
  trackPending?: boolean;
}

/**
 * Records the batch's objects in the ledger, each with a conditional write: a key the folder lacks is
 * inserted; a known key changes only for a greater S3 sequencer (a newer write of the object) and keeps
 * its `generation`; replays and duplicate deliveries change nothing. Each written object gets `seenAt`
 * = now, so the newest stamp tells the settle step when the folder last changed, and a stamp after an
 * attempt's end tells that the folder got something new since.
 */
export async function writeLedgerObjects(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  batch: Pick<FolderBatch, 'folderUri' | 'objects'>,
  options: LedgerWriteOptions = {},
): Promise<LedgerWrites> {
  const clock = options.clock ?? currentTime;
  const result: LedgerWrites = { written: 0, inserted: [] };
  for (let i = 0; i < batch.objects.length; i += WRITES_AT_ONCE) {
    const slice = batch.objects.slice(i, i + WRITES_AT_ONCE);
    const outcomes = await Promise.all(
      slice.map((o) =>
        writeObject(dynamodb, ledgerTable, batch.folderUri, o, clock().toISOString(), options.trackPending),
      ),
    );
    outcomes.forEach((outcome, j) => {
      if (outcome !== 'unchanged') result.written += 1;
      if (outcome === 'inserted') result.inserted.push(slice[j] as LedgerObject);
    });
  }
  return result;
}

type WriteOutcome = 'inserted' | 'written' | 'unchanged';

/**
 * One object. Untracked: one request inserts it or applies a newer write. Tracked: an insert that
 * marks it pending, and only when the key is known, the newer write without touching that mark (a
 * duplicate delivery then costs two requests, a new object one).
 */
async function writeObject(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  object: LedgerObject,
  seenAt: string,
  trackPending = false,
): Promise<WriteOutcome> {
  const values: Record<string, AttributeValue> = {
    ':objectAt': { S: object.objectAt },
    ':seenAt': { S: seenAt },
  };
  const set = ['objectAt = :objectAt', 'seenAt = :seenAt'];
  if (object.size !== undefined) {
    set.push('#size = :size');
    values[':size'] = { N: String(object.size) };
  }
  if (object.etag) {
    set.push('etag = :etag');
    values[':etag'] = { S: object.etag };
  }
  const newer = object.sequencer ? 'sequencer < :sequencer' : undefined;
  if (object.sequencer) {
    set.push('sequencer = :sequencer');
    values[':sequencer'] = { S: ledgerSequencer(object.sequencer) };
  }
  const write = (extraSet: string[], condition: string, extraValues: Record<string, AttributeValue> = {}) =>
    writeConditionally(
      dynamodb,
      new UpdateItemCommand({
        TableName: ledgerTable,
        Key: { folderUri: { S: folderUri }, objectKey: { S: object.key } },
        UpdateExpression: `SET ${[...set, ...extraSet].join(', ')}`,
        ConditionExpression: condition,
        ...(object.size === undefined ? {} : { ExpressionAttributeNames: { '#size': 'size' } }),
        ExpressionAttributeValues: { ...values, ...extraValues },
      }),
    );
  const isNew = 'attribute_not_exists(objectKey)';
  if (!trackPending)
    return (await write([], newer ? `${isNew} OR ${newer}` : isNew)) ? 'written' : 'unchanged';
  // A new key is pending, and keeps when S3 first wrote it: a newer write never changes either.
  const pending = [`${PENDING_ATTRIBUTE} = :folder`, `${LEDGER_KEYS.addedAttribute} = :objectAt`];
  if (await write(pending, isNew, { ':folder': { S: folderUri } })) return 'inserted';
  if (!newer) return 'unchanged';
  return (await write([], `attribute_exists(objectKey) AND ${newer}`)) ? 'written' : 'unchanged';
}

/**
 * Whether the ledger recorded an object of the folder after `instant` (an object new to the folder,
 * or a newer write of a known key). Reads the folder's entries; only failed folders ask.
 */
export async function recordedSince(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  instant: string,
): Promise<boolean> {
  const pages = folderPages(dynamodb, ledgerTable, folderUri, {
    ProjectionExpression: 'objectKey',
    FilterExpression: 'seenAt > :instant',
    values: { ':instant': { S: instant } },
  });
  for await (const items of pages) if (items.length > 0) return true;
  return false;
}

/**
 * Reads every ledger entry of a folder (paginated, consistent) and summarises them with
 * {@link summariseFolderObjects}. With `until`, only objects S3 created at or before that instant
 * are counted (`lateCount` has the rest).
 */
export async function readFolderObjects(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  until?: string,
): Promise<LedgerSummary> {
  const entries: LedgerEntry[] = [];
  for await (const items of folderPages(dynamodb, ledgerTable, folderUri, {
    ProjectionExpression: 'objectAt, seenAt',
  })) {
    for (const item of items) entries.push({ objectAt: item.objectAt?.S, seenAt: item.seenAt?.S });
  }
  return summariseFolderObjects(entries, until);
}

/** The folder's ledger entries, a page at a time (consistent reads). */
async function* folderPages(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  query: { ProjectionExpression: string; FilterExpression?: string; values?: Record<string, AttributeValue> },
): AsyncGenerator<Record<string, AttributeValue>[]> {
  for await (const page of queryPages(dynamodb, {
    TableName: ledgerTable,
    KeyConditionExpression: 'folderUri = :f',
    ProjectionExpression: query.ProjectionExpression,
    FilterExpression: query.FilterExpression,
    ExpressionAttributeValues: { ':f': { S: folderUri }, ...query.values },
    ConsistentRead: true,
  })) {
    yield page.Items ?? [];
  }
}
