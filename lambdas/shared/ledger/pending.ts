/**
 * The ledger's answer to "which objects of a folder are not in its dataset yet": a new object is
 * written with `pendingFolder` = its folder (see ledger-store.ts), which puts it in a sparse index
 * keyed by folder; once a batch that lists it is accepted by Visual Layer, the object gets that
 * batch's `generation` and leaves the index. Objects never leave the ledger (no TTL).
 */

import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { writeConditionally } from '../conditional-write';
import { queryPages } from './query-pages';

/** Key, attribute and index names of the ledger table. */
export const LEDGER_KEYS = {
  partitionKey: 'folderUri',
  sortKey: 'objectKey',
  /** Set on a new object to its folder URI while it is not in the dataset; the pending index's key. */
  pendingAttribute: 'pendingFolder',
  /**
   * S3 time of the first write of the key the ledger recorded; a newer write of the key changes
   * `objectAt`, not this: whether the key was in the folder when its dataset was created.
   */
  addedAttribute: 'addedAt',
  /** Sparse index (partition `pendingFolder`, sort `objectKey`, with `addedAt`) of objects not yet sent. */
  pendingIndex: 'pendingByFolder',
} as const;

/** An object of a folder that is not in its dataset yet, as the table says now (consistent read). */
export interface PendingObject {
  key: string;
  /** When S3 created the key's first write the ledger recorded. */
  addedAt: string;
  /** When the ledger recorded it. */
  seenAt: string;
}

/** Keys read at once with BatchGetItem (its limit), and writes in flight at once when marking. */
const BATCH_GET_KEYS = 100;
const MARKS_AT_ONCE = 8;

/** An object the pending index lists (eventually consistent): its key and when S3 created it. */
export interface PendingCandidate {
  key: string;
  addedAt: string;
}

/**
 * What the pending index lists for a folder: cheap (only pending objects are in it), but eventually
 * consistent — an object a batch has just marked as sent may still show for a moment. Read them
 * again with {@link confirmPending} before sending any.
 */
export async function pendingCandidates(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
): Promise<PendingCandidate[]> {
  const candidates: PendingCandidate[] = [];
  const pages = queryPages(dynamodb, {
    TableName: ledgerTable,
    IndexName: LEDGER_KEYS.pendingIndex,
    KeyConditionExpression: `${LEDGER_KEYS.pendingAttribute} = :f`,
    ExpressionAttributeValues: { ':f': { S: folderUri } },
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (item.objectKey?.S) candidates.push({ key: item.objectKey.S, addedAt: addedAtOf(item) });
    }
  }
  return candidates;
}

/** Those of `keys` that are still pending, as the table says now (consistent reads), in key order. */
export async function confirmPending(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  keys: readonly string[],
): Promise<PendingObject[]> {
  const pending: PendingObject[] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
    pending.push(
      ...(await readStillPending(dynamodb, ledgerTable, folderUri, keys.slice(i, i + BATCH_GET_KEYS))),
    );
  }
  return pending.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The folder's objects not yet sent to Visual Layer, in key order (the index, then consistent reads). */
export async function listPending(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
): Promise<PendingObject[]> {
  const candidates = await pendingCandidates(dynamodb, ledgerTable, folderUri);
  return confirmPending(
    dynamodb,
    ledgerTable,
    folderUri,
    candidates.map((c) => c.key),
  );
}

async function readStillPending(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  keys: string[],
): Promise<PendingObject[]> {
  const found: PendingObject[] = [];
  let request: Record<string, AttributeValue>[] = keys.map((key) => ({
    folderUri: { S: folderUri },
    objectKey: { S: key },
  }));
  while (request.length > 0) {
    const out = await dynamodb.send(
      new BatchGetItemCommand({
        RequestItems: {
          [ledgerTable]: {
            Keys: request,
            ConsistentRead: true,
            ProjectionExpression: 'objectKey, addedAt, objectAt, seenAt, pendingFolder',
          },
        },
      }),
    );
    for (const item of out.Responses?.[ledgerTable] ?? []) {
      if (item.pendingFolder?.S !== folderUri || !item.objectKey?.S) continue;
      found.push({ key: item.objectKey.S, addedAt: addedAtOf(item), seenAt: item.seenAt?.S ?? '' });
    }
    request = (out.UnprocessedKeys?.[ledgerTable]?.Keys ?? []) as Record<string, AttributeValue>[];
  }
  return found;
}

/**
 * Marks objects as sent in `generation`: they leave the pending index. Idempotent (marking again with
 * the same generation changes nothing); a key that is not in the ledger is not created.
 */
export async function markSent(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  keys: readonly string[],
  generation: number,
): Promise<void> {
  for (let i = 0; i < keys.length; i += MARKS_AT_ONCE) {
    await Promise.all(
      keys.slice(i, i + MARKS_AT_ONCE).map(async (key) => {
        await writeConditionally(
          dynamodb,
          new UpdateItemCommand({
            TableName: ledgerTable,
            Key: { folderUri: { S: folderUri }, objectKey: { S: key } },
            UpdateExpression: `SET generation = :g REMOVE ${LEDGER_KEYS.pendingAttribute}`,
            ConditionExpression: 'attribute_exists(objectKey)',
            ExpressionAttributeValues: { ':g': { N: String(generation) } },
          }),
        );
      }),
    );
  }
}

/**
 * Objects of the folder in its dataset, as the ledger knows them (consistent): those not pending, and
 * pending ones whose key S3 created by `cut` (in the folder when Visual Layer read it, not yet marked so).
 */
export async function countInDataset(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  folderUri: string,
  cut?: string,
): Promise<number> {
  const cutMs = cut === undefined ? Number.NEGATIVE_INFINITY : Date.parse(cut);
  let count = 0;
  const pages = queryPages(dynamodb, {
    TableName: ledgerTable,
    KeyConditionExpression: 'folderUri = :f',
    ProjectionExpression: 'addedAt, objectAt, pendingFolder',
    ExpressionAttributeValues: { ':f': { S: folderUri } },
    ConsistentRead: true,
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      if (!item.pendingFolder || Date.parse(addedAtOf(item)) <= cutMs) count += 1;
    }
  }
  return count;
}

/** When the item's key was first written (items recorded before `addedAt` existed: their S3 time). */
function addedAtOf(item: Record<string, AttributeValue>): string {
  return item.addedAt?.S ?? item.objectAt?.S ?? '';
}
