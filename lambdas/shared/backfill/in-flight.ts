import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryPages } from '../ledger/query-pages';
import { IN_FLIGHT_STATUSES, RECORD_KEYS } from '../record/folder-record';

/** Statuses of a folder between its claim and its end: claimed (settling, waiting for a slot), creating, indexing. */
const UNFINISHED = ['PENDING', ...IN_FLIGHT_STATUSES] as const;

/**
 * How many folders (live and backfilled) are between their claim and their end, counted up to `limit`
 * at most: the `byStatus` index (eventually consistent) of the records, `PENDING`, `CREATING` and
 * `INDEXING`. The backfill starts folders only while this is below its bound, so it never queues more
 * than that many behind the gate, where they would wait against their deadline.
 */
export async function foldersInFlight(
  dynamodb: DynamoDBClient,
  recordsTable: string,
  limit: number,
): Promise<number> {
  let count = 0;
  for (const status of UNFINISHED) {
    const pages = queryPages(dynamodb, {
      TableName: recordsTable,
      IndexName: RECORD_KEYS.byStatusIndex,
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': { S: status } },
      Select: 'COUNT',
      Limit: limit,
    });
    for await (const page of pages) {
      count += page.Count ?? 0;
      if (count >= limit) return count;
    }
  }
  return count;
}
