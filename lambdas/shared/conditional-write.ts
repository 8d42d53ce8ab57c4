import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  type PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { RECORD_KEYS } from './record/folder-record';

/** Sends a conditional write: true when it holds, false when its condition fails. */
export async function writeConditionally(
  dynamodb: DynamoDBClient,
  command: PutItemCommand | UpdateItemCommand,
): Promise<boolean> {
  try {
    await dynamodb.send(command as UpdateItemCommand);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** A conditional update of one item: true when its condition holds (and it was written), false when not. */
export function updateConditionally(
  dynamodb: DynamoDBClient,
  update: {
    table: string;
    key: Record<string, AttributeValue>;
    expression: string;
    condition: string;
    values: Record<string, AttributeValue>;
    names?: Record<string, string>;
  },
): Promise<boolean> {
  return writeConditionally(
    dynamodb,
    new UpdateItemCommand({
      TableName: update.table,
      Key: update.key,
      UpdateExpression: update.expression,
      ConditionExpression: update.condition,
      ExpressionAttributeNames: update.names,
      ExpressionAttributeValues: update.values,
    }),
  );
}

/** The key of a folder's record. */
export function recordKey(folderUri: string): Record<string, AttributeValue> {
  return { [RECORD_KEYS.partitionKey]: { S: folderUri } };
}
