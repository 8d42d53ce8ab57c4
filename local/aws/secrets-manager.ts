import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the two Secrets Manager calls the pipeline and its operators make
 * (`GetSecretValue`, `PutSecretValue`), speaking the service's JSON protocol so the real AWS SDK
 * (through Powertools `getSecret`) talks to it unchanged via `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
export class LocalSecretsManager {
  private readonly secrets = new Map<string, string>();
  private server?: Server;
  /** Number of `GetSecretValue` calls served: shows caching and re-reads. */
  reads = 0;

  /** Stores a value under an ARN or name (both forms resolve to it). */
  setSecret(id: string, value: string): void {
    this.secrets.set(id, value);
  }

  async start(): Promise<string> {
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
    let input: { SecretId?: string; SecretString?: string };
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return reply(res, 400, { __type: 'InvalidRequestException', message: 'body is not JSON' });
    }
    const id = input.SecretId ?? '';
    if (target === 'secretsmanager.GetSecretValue') {
      this.reads += 1;
      const value = this.secrets.get(id);
      if (value === undefined) {
        return reply(res, 400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
      }
      return reply(res, 200, { ARN: id, Name: id, SecretString: value, VersionId: 'local', CreatedDate: 0 });
    }
    if (target === 'secretsmanager.PutSecretValue' && typeof input.SecretString === 'string') {
      this.secrets.set(id, input.SecretString);
      return reply(res, 200, { ARN: id, Name: id, VersionId: 'local' });
    }
    return reply(res, 400, { __type: 'InvalidRequestException', message: `${target} is not emulated` });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}
