/**
 * The object ledger's DynamoDB I/O: one item per object of a folder (partition `folderUri`, sort
 * `objectKey`), written by the folding function and read by the settle step and late batches.
 */

import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { FolderBatch } from './folder-batch';
import { type LedgerEntry, type LedgerSummary, summariseFolderObjects } from './settle';

/** How long ledger entries are kept (they dedupe object events and count a folder's objects). */
export const LEDGER_TTL_DAYS = 90;

/** Puts (or overwrites) at most this many objects per BatchWriteItem request: DynamoDB's limit. */
const WRITE_BATCH = 25;

/**
 * Puts the batch's objects in the ledger, 25 per request, retrying what DynamoDB leaves unprocessed.
 * Each request stamps `seenAt` just before it is sent, so the newest stamp tells the settle step
 * when the folder last changed.
 */
export async function writeLedgerObjects(
  dynamodb: DynamoDBClient,
  ledgerTable: string,
  batch: FolderBatch,
  clock: () => Date = () => new Date(),
): Promise<void> {
  const expiresAt = String(Math.floor(clock().getTime() / 1000) + LEDGER_TTL_DAYS * 86_400);
  for (let i = 0; i < batch.objects.length; i += WRITE_BATCH) {
    const seenAt = clock().toISOString();
    let pending: WriteRequest[] = batch.objects.slice(i, i + WRITE_BATCH).map((o) => ({
      PutRequest: {
        Item: {
          folderUri: { S: batch.folderUri },
          objectKey: { S: o.key },
          objectAt: { S: o.objectAt },
          seenAt: { S: seenAt },
          ...(o.size === undefined ? {} : { size: { N: String(o.size) } }),
          expiresAt: { N: expiresAt },
        },
      },
    }));
    for (let tries = 0; pending.length > 0; tries += 1) {
      if (tries > 8) throw new Error(`the ledger kept refusing writes for ${batch.folderUri}`);
      if (tries > 0) await sleep(Math.min(2000, 50 * 2 ** tries));
      const out = await dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { [ledgerTable]: pending } }),
      );
      pending = out.UnprocessedItems?.[ledgerTable] ?? [];
    }
  }
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
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: ledgerTable,
        KeyConditionExpression: 'folderUri = :f',
        ExpressionAttributeValues: { ':f': { S: folderUri } },
        ProjectionExpression: 'objectAt, seenAt',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) entries.push({ objectAt: item.objectAt?.S, seenAt: item.seenAt?.S });
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return summariseFolderObjects(entries, until);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
