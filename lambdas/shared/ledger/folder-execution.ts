import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionArnOf, executionName, newClaimToken } from '../record/folder-record';
import type { Claim } from '../record/record-store';

/** What a folder's execution starts with (quiet trigger). Identical for every batch of the same claim. */
export interface FolderExecutionInput {
  folderUri: string;
  bucket: string;
  folderKey: string;
  datasetName: string;
  attempt: number;
  claimedAt: string;
}

/** The folder a claim is for, as its execution input names it. */
export type ClaimedFolder = Pick<FolderExecutionInput, 'folderUri' | 'bucket' | 'folderKey' | 'datasetName'>;

/** The execution input of a claim: the folder, its attempt and when that attempt was claimed. */
export function executionInput(
  folder: ClaimedFolder,
  attempt: number,
  claimedAt: string,
): FolderExecutionInput {
  return {
    folderUri: folder.folderUri,
    bucket: folder.bucket,
    folderKey: folder.folderKey,
    datasetName: folder.datasetName,
    attempt,
    claimedAt,
  };
}

/** A new claim of a folder: a fresh token, the execution it names, and now. */
export function newClaim(stateMachineArn: string, folderUri: string, now: Date): Claim {
  const claimToken = newClaimToken();
  const executionArn = executionArnOf(stateMachineArn, executionName(folderUri, claimToken));
  return { claimToken, executionArn, now: now.toISOString() };
}

/**
 * Starts the execution a claim names, or confirms it runs: its ARN. Undefined when the name is taken
 * by an execution that has ended: "already exists" does not mean "running".
 */
export async function startClaimedExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  input: FolderExecutionInput,
  claimToken: string,
): Promise<{ executionArn: string } | undefined> {
  const name = executionName(input.folderUri, claimToken);
  try {
    const out = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: out.executionArn ?? executionArnOf(stateMachineArn, name) };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    const executionArn = executionArnOf(stateMachineArn, name);
    return (await isExecutionRunning(sfn, executionArn)) ? { executionArn } : undefined;
  }
}

/** Whether an execution runs (or waits for a redrive); false when it has ended or does not exist. */
export async function isExecutionRunning(sfn: SFNClient, executionArn: string): Promise<boolean> {
  try {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE';
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return false;
    throw error;
  }
}
