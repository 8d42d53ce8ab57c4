/**
 * The object ledger's DynamoDB I/O: one item per object of a folder (partition `folderUri`, sort
 * `objectKey`), written by the folding function and read by the settle step and late batches.
 */

import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { currentTime } from '../clock';
import type { FolderBatch, LedgerObject } from './folder-batch';
import { ledgerSequencer } from './sequencer';
import { type LedgerEntry, type LedgerSummary, summariseFolderObjects } from './settle';

/** Ledger writes in flight at once for one folder (the function works on up to ten folders at once, and the SDK keeps 50 sockets). */
const WRITES_AT_ONCE = 4;

/**
 * Records the batch's objects in the ledger, each with a conditional write: a key the folder lacks is
 * inserted; a known key changes only for a greater S3 sequencer (a newer write of the object);
 * replays and duplicate deliveries change nothing. Each written object gets `seenAt` = now, so the
 * newest stamp tells the settle step when the folder last changed, and a stamp after an attempt's
 * end tells that the folder got something new since. Returns how many objects were new or newer.
 */
export async function writeLedgerObjects(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  batch: FolderBatch,
  clock: () => Date = currentTime,
): Promise<number> {
  let written = 0;
  for (let i = 0; i < batch.objects.length; i += WRITES_AT_ONCE) {
    const slice = batch.objects.slice(i, i + WRITES_AT_ONCE);
    const results = await Promise.all(
      slice.map((o) => writeObject(dynamodb, ledgerTable, batch.folderUri, o, clock().toISOString())),
    );
    written += results.filter(Boolean).length;
  }
  return written;
}

async function writeObject(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  object: LedgerObject,
  seenAt: string,
): Promise<boolean> {
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
  let condition = 'attribute_not_exists(objectKey)';
  if (object.sequencer) {
    set.push('sequencer = :sequencer');
    values[':sequencer'] = { S: ledgerSequencer(object.sequencer) };
    condition += ' OR sequencer < :sequencer';
  }
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: ledgerTable,
        Key: { folderUri: { S: folderUri }, objectKey: { S: object.key } },
        UpdateExpression: `SET ${set.join(', ')}`,
        ConditionExpression: condition,
        ...(object.size === undefined ? {} : { ExpressionAttributeNames: { '#size': 'size' } }),
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
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
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: ledgerTable,
        KeyConditionExpression: 'folderUri = :f',
        ProjectionExpression: query.ProjectionExpression,
        FilterExpression: query.FilterExpression,
        ExpressionAttributeValues: { ':f': { S: folderUri }, ...query.values },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    yield page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
