import { type JsonReply, LocalJsonService } from './json-service';

/** Starts a named execution and returns its ARN; throws `ExecutionAlreadyExists` like the service. */
export type StartExecution = (request: { stateMachineArn: string; name?: string; input?: string }) => {
  executionArn: string;
  startDate: number;
};

/** Describes an execution by ARN, or undefined when there is none. */
export type DescribeExecution = (executionArn: string) =>
  | {
      executionArn: string;
      name: string;
      status: string;
      startDate: number;
      stopDate?: number;
      input: string;
    }
  | undefined;

/** Raised for a name already used (with other input, or by an execution that has ended). */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

/**
 * A loopback stand-in for the Step Functions `StartExecution` and `DescribeExecution` calls, so the
 * real AWS SDK in the folding function reaches the local state machine via `AWS_ENDPOINT_URL_SFN`.
 * As the service does, it keeps an ended execution's name taken and describes it by ARN.
 */
export class LocalStepFunctionsEndpoint extends LocalJsonService {
  constructor(
    private readonly startExecution: StartExecution,
    private readonly describeExecution: DescribeExecution,
  ) {
    super('application/x-amz-json-1.0');
  }

  protected operate(operation: string, input: Record<string, unknown>): JsonReply {
    if (operation === 'DescribeExecution') {
      const found = this.describeExecution(String(input.executionArn));
      if (found) return { status: 200, body: found };
      const message = `Execution Does Not Exist: '${String(input.executionArn)}'`;
      return { status: 400, body: { __type: 'ExecutionDoesNotExist', message } };
    }
    if (operation !== 'StartExecution') {
      return { status: 400, body: { __type: 'InvalidAction', message: `${operation} is not emulated` } };
    }
    try {
      return { status: 200, body: this.startExecution(input as Parameters<StartExecution>[0]) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const type =
        error instanceof ExecutionAlreadyExistsError ? 'ExecutionAlreadyExists' : 'InvalidExecutionInput';
      return { status: 400, body: { __type: type, message } };
    }
  }
}
