import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  PutItemCommand,
  type PutItemCommandInput,
  ScanCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** DynamoDB write requests and write units seen by the local server (items assumed under 1 KB). */
export interface WriteCounts {
  requests: number;
  units: number;
  byOperation: Record<string, number>;
}

const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** A DynamoDB served in process by dynalite on a free loopback port, with a client bound to it. */
export class LocalDynamoDb {
  private server?: Server;
  client?: DynamoDBClient;
  endpoint = '';
  /** Every write any caller (functions, state machine, tests) made. */
  readonly writes: WriteCounts = { requests: 0, units: 0, byOperation: {} };

  async start(): Promise<string> {
    const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 }) as Server;
    server.on('request', (req) => this.countWrite(req));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.client = new DynamoDBClient({
      endpoint: this.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    return this.endpoint;
  }

  /** Creates a table from the `AWS::DynamoDB::Table` properties of a synthesized template. */
  async createTableFromTemplate(tableName: string, properties: Record<string, unknown>): Promise<void> {
    const gsis = (properties.GlobalSecondaryIndexes as GlobalSecondaryIndex[] | undefined)?.map((g) => ({
      IndexName: g.IndexName,
      KeySchema: g.KeySchema,
      Projection: g.Projection,
    }));
    await this.db().send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: properties.KeySchema as KeySchemaElement[],
        AttributeDefinitions: properties.AttributeDefinitions as AttributeDefinition[],
        BillingMode: 'PAY_PER_REQUEST',
        GlobalSecondaryIndexes: gsis && gsis.length > 0 ? gsis : undefined,
      }),
    );
  }

  /**
   * Runs a Step Functions DynamoDB service integration (`arn:aws:states:::dynamodb:<action>`) with the
   * task's resolved parameters. Failures surface as Step Functions names them: `DynamoDB.<Exception>`.
   */
  async serviceIntegration(action: string, parameters: Record<string, unknown>): Promise<unknown> {
    const db = this.db();
    const run: Record<string, () => Promise<object>> = {
      updateItem: () => db.send(new UpdateItemCommand(parameters as unknown as UpdateItemCommandInput)),
      putItem: () => db.send(new PutItemCommand(parameters as unknown as PutItemCommandInput)),
      getItem: () => db.send(new GetItemCommand(parameters as unknown as GetItemCommandInput)),
    };
    const send = run[action];
    if (!send) throw new Error(`dynamodb:${action} is not emulated`);
    try {
      const { $metadata: _meta, ...output } = (await send()) as { $metadata?: unknown };
      return output;
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      const failure = new Error(e.message);
      failure.name = `DynamoDB.${e.name}`;
      throw failure;
    }
  }

  private countWrite(req: IncomingMessage): void {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (!WRITE_OPERATIONS.has(operation)) return;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let units = 1;
      if (operation === 'BatchWriteItem' || operation === 'TransactWriteItems') {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            RequestItems?: Record<string, unknown[]>;
            TransactItems?: unknown[];
          };
          units = body.TransactItems
            ? body.TransactItems.length * 2
            : Object.values(body.RequestItems ?? {}).reduce((n, items) => n + items.length, 0);
        } catch {
          units = 0;
        }
      }
      this.writes.requests += 1;
      this.writes.units += units;
      this.writes.byOperation[operation] = (this.writes.byOperation[operation] ?? 0) + 1;
    });
  }

  /** Every item of a table (small local tables only). */
  async scan(tableName: string): Promise<Record<string, unknown>[]> {
    const out = await this.db().send(new ScanCommand({ TableName: tableName }));
    return (out.Items ?? []) as Record<string, unknown>[];
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = undefined;
  }

  private db(): DynamoDBClient {
    if (!this.client) throw new Error('LocalDynamoDb is not started');
    return this.client;
  }
}
