import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
 * A loopback stand-in for the Step Functions `StartExecution` call, in the service's JSON protocol,
 * so the real AWS SDK in the folding function reaches the local state machine via
 * `AWS_ENDPOINT_URL_SFN`.
 */
export class LocalStepFunctionsEndpoint {
  private server?: Server;

  constructor(private readonly start: StartExecution) {}

  async listen(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify(body));
    };
    if (target !== 'AWSStepFunctions.StartExecution') {
      return reply(400, { __type: 'InvalidAction', message: `${target} is not emulated` });
    }
    try {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      return reply(200, this.start(request));
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError)
        return reply(400, { __type: 'ExecutionAlreadyExists', message: error.message });
      return reply(400, {
        __type: 'InvalidExecutionInput',
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
