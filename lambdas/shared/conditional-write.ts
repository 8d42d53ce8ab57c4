import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  type PutItemCommand,
  type UpdateItemCommand,
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

/** The key of a folder's record. */
export function recordKey(folderUri: string): Record<string, AttributeValue> {
  return { [RECORD_KEYS.partitionKey]: { S: folderUri } };
}
