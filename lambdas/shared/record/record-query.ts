import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { RECORD_KEYS, type RecordAttribute } from './folder-record';

/**
 * Reads of whole folder records, for those who look at them (the reconciler's sweep, the `vl-ingest`
 * command): one record by its folder, or the records of one status through the `byStatus` index
 * (`status` + `updatedAt`), newest or oldest first.
 */

/**
 * A folder record as stored, its attributes as plain JSON values: those of `RECORD_ATTRIBUTES`, and any
 * a newer stack writes, which a reader shows or ignores.
 */
export type StoredRecord = { folderUri: string } & Partial<Record<RecordAttribute, unknown>> &
  Record<string, unknown>;

/** Which records of a status {@link recordsInStatus} reads. */
export interface StatusQuery {
  /** Only records changed at or after this instant (ISO 8601, compared with `updatedAt`). */
  since?: string;
  /** Newest `updatedAt` first. @default false (oldest first) */
  newestFirst?: boolean;
  /** Items per page. @default DynamoDB's (1 MB) */
  pageSize?: number;
}

/** A folder's record (consistent read), or undefined when it has none. */
export async function readRecord(
  dynamodb: DynamoDBClient,
  table: string,
  folderUri: string,
): Promise<StoredRecord | undefined> {
  const out = await dynamodb.send(
    new GetItemCommand({
      TableName: table,
      Key: { [RECORD_KEYS.partitionKey]: { S: folderUri } },
      ConsistentRead: true,
    }),
  );
  return out.Item ? (unmarshall(out.Item) as StoredRecord) : undefined;
}

/** Pages of the records in one status, from the `byStatus` index. */
export async function* recordsInStatus(
  dynamodb: DynamoDBClient,
  table: string,
  status: string,
  query: StatusQuery = {},
): AsyncGenerator<StoredRecord[]> {
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await dynamodb.send(
      new QueryCommand({ ...statusQuery(table, status, query), ExclusiveStartKey: startKey }),
    );
    yield (out.Items ?? []).map((item) => unmarshall(item) as StoredRecord);
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

/** How many records are in one status (changed since `since`, when given). */
export async function countInStatus(
  dynamodb: DynamoDBClient,
  table: string,
  status: string,
  since?: string,
): Promise<number> {
  let count = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await dynamodb.send(
      new QueryCommand({
        ...statusQuery(table, status, { since }),
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return count;
}

function statusQuery(table: string, status: string, query: StatusQuery): QueryCommandInput {
  return {
    TableName: table,
    IndexName: RECORD_KEYS.byStatusIndex,
    KeyConditionExpression: query.since ? '#status = :status AND updatedAt >= :since' : '#status = :status',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':status': { S: status },
      ...(query.since ? { ':since': { S: query.since } } : {}),
    },
    ScanIndexForward: !query.newestFirst,
    Limit: query.pageSize,
  };
}
