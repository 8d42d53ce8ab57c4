import { type JsonReply, LocalJsonService } from './json-service';
import { InvalidTokenError, TaskTimedOutError } from './task-tokens';

/** Starts a named execution and returns its ARN; throws `ExecutionAlreadyExists` like the service. */
export type StartExecution = (request: { stateMachineArn: string; name?: string; input?: string }) => {
  executionArn: string;
  startDate: number;
};

/** The Step Functions operations the local endpoint answers, each as the service would. */
export interface StepFunctionsOperations {
  startExecution: StartExecution;
  /** `DescribeExecution`; throws {@link ExecutionDoesNotExistError} for an unknown ARN. */
  describeExecution(request: { executionArn: string }): Record<string, unknown>;
  /** `StopExecution` (→ ABORTED); throws {@link ExecutionDoesNotExistError} for an unknown ARN. */
  stopExecution(request: { executionArn: string; error?: string; cause?: string }): { stopDate: number };
  /** `SendTaskSuccess`: resumes the task waiting for the token. @default not emulated */
  sendTaskSuccess?(request: { taskToken: string; output: string }): Record<string, never>;
  /** `SendTaskFailure`: fails the task waiting for the token. @default not emulated */
  sendTaskFailure?(request: { taskToken: string; error?: string; cause?: string }): Record<string, never>;
}

/** Raised for a name already used (with other input, or by an execution that has ended). */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

/** Raised for a state machine ARN the service does not know. */
export class StateMachineDoesNotExistError extends Error {
  override readonly name = 'StateMachineDoesNotExist';
}

/** Raised for an execution ARN the service does not know. */
export class ExecutionDoesNotExistError extends Error {
  override readonly name = 'ExecutionDoesNotExist';
}

const ERROR_TYPES = new Map<unknown, string>([
  [ExecutionAlreadyExistsError, 'ExecutionAlreadyExists'],
  [ExecutionDoesNotExistError, 'ExecutionDoesNotExist'],
  [StateMachineDoesNotExistError, 'StateMachineDoesNotExist'],
  [TaskTimedOutError, 'TaskTimedOut'],
  [InvalidTokenError, 'InvalidToken'],
]);

/**
 * A loopback stand-in for Step Functions' `StartExecution`, `DescribeExecution`, `StopExecution`,
 * `SendTaskSuccess` and `SendTaskFailure`,
 * so the real AWS SDK in the functions reaches the local state machine via `AWS_ENDPOINT_URL_SFN`.
 */
export class LocalStepFunctionsEndpoint extends LocalJsonService {
  constructor(private readonly operations: StepFunctionsOperations) {
    super('application/x-amz-json-1.0');
  }

  protected operate(operation: string, input: Record<string, unknown>): JsonReply {
    const handlers: Record<string, (input: never) => unknown> = {
      StartExecution: this.operations.startExecution,
      DescribeExecution: (request) => this.operations.describeExecution(request),
      StopExecution: (request) => this.operations.stopExecution(request),
      ...(this.operations.sendTaskSuccess && {
        SendTaskSuccess: (request: never) => this.operations.sendTaskSuccess?.(request),
      }),
      ...(this.operations.sendTaskFailure && {
        SendTaskFailure: (request: never) => this.operations.sendTaskFailure?.(request),
      }),
    };
    const handler = handlers[operation];
    if (!handler) {
      return { status: 400, body: { __type: 'InvalidAction', message: `${operation} is not emulated` } };
    }
    try {
      return { status: 200, body: handler(input as never) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const type = ERROR_TYPES.get((error as object | null)?.constructor) ?? 'InvalidExecutionInput';
      return { status: 400, body: { __type: type, message } };
    }
  }
}
