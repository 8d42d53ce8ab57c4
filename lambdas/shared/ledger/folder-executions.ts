import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionArnOf, executionName, newClaimToken } from '../record/folder-record';
import type { Claim } from '../record/record-store';
import type { FolderBatch } from './folder-batch';

/** What a folder's execution starts with. Identical for every batch of the same claim. */
export interface FolderExecutionInput {
  folderUri: string;
  bucket: string;
  folderKey: string;
  datasetName: string;
  attempt: number;
  claimedAt: string;
  /** A folder the backfill claimed: it waits for a slot of the gate after live folders. Absent: live. */
  lane?: 'backfill';
}

/**
 * The executions of claimed folders: started under the name of their claim (folder and token), so
 * every batch of a claim starts the same one, and asked whether they still run.
 */
export class FolderExecutions {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  /**
   * Starts the claim's execution, or confirms it runs: its ARN. Undefined when the name is taken by
   * an execution that has ended: "already exists" does not mean "running".
   */
  async start(input: FolderExecutionInput, claimToken: string): Promise<string | undefined> {
    const name = executionName(input.folderUri, claimToken);
    try {
      const out = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return out.executionArn ?? executionArnOf(this.stateMachineArn, name);
    } catch (error) {
      if (!(error instanceof ExecutionAlreadyExists)) throw error;
      const executionArn = executionArnOf(this.stateMachineArn, name);
      return (await this.isRunning(executionArn)) ? executionArn : undefined;
    }
  }

  /** Whether the execution runs (or waits to be redriven). */
  isRunning(executionArn: string): Promise<boolean> {
    return isExecutionRunning(this.sfn, executionArn);
  }
}

/** Whether an execution runs (or waits to be redriven); false for one that does not exist. */
export async function isExecutionRunning(sfn: SFNClient, executionArn: string): Promise<boolean> {
  try {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE';
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return false;
    throw error;
  }
}

/** A new claim of a folder: a fresh token, the execution it names, and now. */
export function newClaim(stateMachineArn: string, folderUri: string, now: Date): Claim {
  const claimToken = newClaimToken();
  const executionArn = executionArnOf(stateMachineArn, executionName(folderUri, claimToken));
  return { claimToken, executionArn, now: now.toISOString() };
}

/** A folder as its execution names it: its URI, bucket, key and dataset name. */
export type ClaimedFolder = Pick<FolderBatch, 'folderUri' | 'bucket' | 'folderKey' | 'datasetName'>;

/** The input of the execution of a claim of the batch's folder. */
export function executionInput(
  batch: ClaimedFolder,
  attempt: number,
  claimedAt: string,
  lane?: 'backfill',
): FolderExecutionInput {
  return {
    folderUri: batch.folderUri,
    bucket: batch.bucket,
    folderKey: batch.folderKey,
    datasetName: batch.datasetName,
    attempt,
    claimedAt,
    ...(lane ? { lane } : {}),
  };
}
