import { type JsonReply, LocalJsonService } from './json-service';

/** Starts a named execution and returns its ARN; throws `ExecutionAlreadyExists` like the service. */
export type StartExecution = (request: { stateMachineArn: string; name?: string; input?: string }) => {
  executionArn: string;
  startDate: number;
};

/** Raised for a name already used (with other input, or by an execution that has ended). */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

/**
 * A loopback stand-in for the Step Functions `StartExecution` call, so the real AWS SDK in the
 * folding function reaches the local state machine via `AWS_ENDPOINT_URL_SFN`.
 */
export class LocalStepFunctionsEndpoint extends LocalJsonService {
  constructor(private readonly startExecution: StartExecution) {
    super('application/x-amz-json-1.0');
  }

  protected operate(operation: string, input: Record<string, unknown>): JsonReply {
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
