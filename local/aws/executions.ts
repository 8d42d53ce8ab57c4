import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './intrinsics';
import { ExecutionDoesNotExistError } from './step-functions';

/** How an execution stands, as `DescribeExecution` and the status change events say it. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution of the local state machine, from its start to its end. */
export interface ExecutionEntry {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  /** The input, as the JSON text Step Functions keeps. */
  input: string;
  startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Stops the running execution (`StopExecution`); its end is then ABORTED with this error and cause. */
  abort?: (error?: string, cause?: string) => void;
}

/** `detail-type` of the events Step Functions sends to the default bus when an execution changes status. */
export const STATUS_CHANGE_DETAIL_TYPE = 'Step Functions Execution Status Change';

/** The most a state's input or output, or a task's result, may hold in Step Functions (256 KB). */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

/**
 * `States.DataLimitExceeded`: a task's result was over {@link STATE_PAYLOAD_LIMIT_BYTES}. Step Functions
 * ends the execution with it: no Retry or Catch rule matches it (not even `States.ALL`);
 * aws-local-stepfunctions reads `isRetryable`/`isCatchable` to know.
 */
export class DataLimitExceededError extends Error {
  override readonly name = 'States.DataLimitExceeded';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

/** Fails as Step Functions does when a task returns a result larger than a state may hold. */
export function refuseOversizedResult(stateName: string, result: unknown): void {
  if (Buffer.byteLength(JSON.stringify(result ?? null)) <= STATE_PAYLOAD_LIMIT_BYTES) return;
  throw new DataLimitExceededError(
    `The state/task '${stateName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  );
}

const seconds = (date: Date | undefined) => (date ? date.getTime() / 1000 : undefined);

/**
 * Every execution the local runtime ran, by ARN: what `DescribeExecution` and `StopExecution`
 * answer from, and the source of the "Execution Status Change" events.
 */
export class ExecutionRegistry {
  private readonly entries = new Map<string, ExecutionEntry>();

  add(entry: ExecutionEntry): void {
    this.entries.set(entry.executionArn, entry);
  }

  /** Whether an execution of that ARN was started. */
  has(executionArn: string): boolean {
    return this.entries.has(executionArn);
  }

  /** Every execution, oldest first. */
  all(): ExecutionEntry[] {
    return [...this.entries.values()];
  }

  /** @throws ExecutionDoesNotExistError for an ARN never started. */
  get(executionArn: string): ExecutionEntry {
    const entry = this.entries.get(executionArn);
    if (!entry) throw new ExecutionDoesNotExistError(`Execution Does Not Exist: '${executionArn}'`);
    return entry;
  }

  /** `DescribeExecution`'s answer (dates in epoch seconds, as the JSON protocol carries them). */
  describe(executionArn: string): Record<string, unknown> {
    const e = this.get(executionArn);
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      stopDate: seconds(e.stopDate),
      input: e.input,
      ...(e.status === 'SUCCEEDED' ? { output: JSON.stringify(e.output ?? null) } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
  }

  /** `StopExecution`: a running execution is aborted; one that has ended stays as it ended. */
  stop(executionArn: string, error?: string, cause?: string): { stopDate: number } {
    const e = this.get(executionArn);
    if (e.status === 'RUNNING') e.abort?.(error, cause);
    return { stopDate: (e.stopDate ?? new Date()).getTime() / 1000 };
  }

  /** The event Step Functions puts on the default bus for the execution's current status. */
  statusChangeEvent(e: ExecutionEntry): Record<string, unknown> {
    const stopDate = e.stopDate?.getTime() ?? null;
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': STATUS_CHANGE_DETAIL_TYPE,
      source: 'aws.states',
      account: LOCAL_ACCOUNT,
      time: (e.stopDate ?? e.startDate).toISOString().replace(/\.\d+Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: [e.executionArn],
      detail: {
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate.getTime(),
        stopDate,
        input: e.input,
        output: e.status === 'SUCCEEDED' ? JSON.stringify(e.output ?? null) : null,
        inputDetails: { included: true },
        error: e.error ?? null,
        cause: e.cause ?? null,
      },
    };
  }
}
