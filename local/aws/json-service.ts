import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer in an AWS JSON protocol: status, and the body (errors carry `__type` and `message`). */
export interface JsonReply {
  status: number;
  body: unknown;
}

/** An HTTP answer: status, content type and body text. */
export interface HttpReply {
  status: number;
  contentType: string;
  text: string;
}

/** A server on a free port of 127.0.0.1 that answers each request with {@link serve}. */
export abstract class LoopbackService {
  private server?: Server;

  /** Starts listening on a free port of 127.0.0.1; returns the endpoint URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.serve(req, res));
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

  /** Answers one request; must not throw. */
  protected abstract serve(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** A loopback stand-in that answers each request, given its whole body, with one {@link HttpReply}. */
export abstract class HttpService extends LoopbackService {
  /** Answers one request, given its whole body. */
  protected abstract respond(req: IncomingMessage, body: string): HttpReply;

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const reply = this.respond(req, Buffer.concat(chunks).toString('utf8'));
    res.writeHead(reply.status, { 'content-type': reply.contentType });
    res.end(reply.text);
  }
}

/**
 * A loopback stand-in for an AWS service that speaks one of the AWS JSON protocols (`X-Amz-Target`
 * names the operation, the body is JSON), so the real AWS SDK reaches it through its
 * `AWS_ENDPOINT_URL_<SERVICE>` variable. Subclasses answer the operations they emulate.
 */
export abstract class LocalJsonService extends HttpService {
  constructor(private readonly contentType: string) {
    super();
  }

  /** Answers one operation; `input` is the parsed JSON body. */
  protected abstract operate(operation: string, input: Record<string, unknown>): JsonReply;

  protected respond(req: IncomingMessage, body: string): HttpReply {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    let reply: JsonReply;
    try {
      reply = this.operate(operation, JSON.parse(body || '{}'));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      reply = { status: 400, body: { __type: 'InvalidRequestException', message } };
    }
    return { status: reply.status, contentType: this.contentType, text: JSON.stringify(reply.body) };
  }
}
