import {
  CreateTableCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectLedger } from '../../infra/constructs/object-ledger';
import { RecordsTable } from '../../infra/constructs/records-table';
import { Backfill, type BackfillOptions } from '../../lambdas/shared/backfill/backfill';
import { BACKFILL_KEYS } from '../../lambdas/shared/backfill/backfill-runs';
import { type BackfillState, backfillPrefix } from '../../lambdas/shared/backfill/backfill-state';
import { LocalDynamoDb } from '../../local/aws/dynamodb';
import { LocalS3 } from '../../local/aws/s3';
import { ExecutionDoesNotExistError, LocalStepFunctionsEndpoint } from '../../local/aws/step-functions';

const BUCKET = 'drops';
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:Workflow';
const BACKFILL_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:Backfill';
const local = { credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, region: 'us-east-1' };
const db = new LocalDynamoDb();
const s3 = new LocalS3();
/** Executions the backfill started, and which ones still run. */
const started: { name: string; input: Record<string, unknown> }[] = [];
const running = new Set<string>();
const sfnEndpoint = new LocalStepFunctionsEndpoint({
  startExecution: ({ stateMachineArn, name, input }) => {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    started.push({ name: name ?? '', input: JSON.parse(input ?? '{}') });
    running.add(executionArn);
    return { executionArn, startDate: Date.now() / 1000 };
  },
  describeExecution: ({ executionArn }) => {
    if (!started.some((s) => executionArn.endsWith(`:${s.name}`)) && !running.has(executionArn))
      throw new ExecutionDoesNotExistError(executionArn);
    return { executionArn, status: running.has(executionArn) ? 'RUNNING' : 'SUCCEEDED' };
  },
  stopExecution: () => ({ stopDate: 0 }),
});
let clients: Pick<BackfillOptions, 's3' | 'dynamodb' | 'sfn'>;
let tables = 0;
let names = { recordsTable: '', ledgerTable: '', backfillTable: '' };
let properties: { records: Record<string, unknown>; ledger: Record<string, unknown> };

/** A table's properties exactly as its construct declares them. */
function tableOf(build: (stack: Stack) => void): Record<string, unknown> {
  const stack = new Stack(new App(), 'T');
  build(stack);
  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
  return (resource as { Properties: Record<string, unknown> }).Properties;
}

beforeAll(async () => {
  properties = {
    records: tableOf((s) => new RecordsTable(s, 'Records')),
    ledger: tableOf((s) => new ObjectLedger(s, 'Ledger')),
  };
  const [, s3Url, sfnUrl] = await Promise.all([db.start(), s3.start(), sfnEndpoint.start()]);
  clients = {
    dynamodb: db.client as never,
    s3: new S3Client({ ...local, endpoint: s3Url, forcePathStyle: true }),
    sfn: new SFNClient({ ...local, endpoint: sfnUrl }),
  };
});
afterAll(async () => {
  await Promise.all([db.stop(), s3.stop(), sfnEndpoint.stop()]);
});
beforeEach(async () => {
  tables += 1;
  names = {
    recordsTable: `records-${tables}`,
    ledgerTable: `ledger-${tables}`,
    backfillTable: `runs-${tables}`,
  };
  await db.createTableFromTemplate(names.recordsTable, properties.records);
  await db.createTableFromTemplate(names.ledgerTable, properties.ledger);
  await db.client?.send(
    new CreateTableCommand({
      TableName: names.backfillTable,
      KeySchema: [{ AttributeName: BACKFILL_KEYS.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: BACKFILL_KEYS.partitionKey, AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  started.length = 0;
  running.clear();
  s3.clear();
});

const RULES: BackfillOptions['rules'] = {
  prefix: 'in/',
  folderDepth: 1,
  trigger: 'quiet',
  markerName: '_READY',
  datasetNamePrefix: '',
  bucketName: BUCKET,
};

function backfill(options: Partial<BackfillOptions> = {}): Backfill {
  return new Backfill({
    ...clients,
    ...names,
    rules: RULES,
    stateMachineArn: MACHINE,
    lateObjects: 'append',
    pageSize: 1000,
    stepsPerExecution: 100,
    foldersInFlight: 100,
    pauseSeconds: 30,
    ...options,
  });
}

const execution = (name: string) => `${BACKFILL_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;

/** Runs one execution's steps until it ends or hands over; returns its last state. */
async function runSteps(b: Backfill, state: BackfillState, executionArn: string): Promise<BackfillState> {
  let current = state;
  for (let i = 0; i < 100 && (current.next === 'list' || current.next === 'wait'); i += 1) {
    if (current.next === 'wait') return current;
    current = await b.step(current, executionArn);
  }
  return current;
}

async function ledgerKeys(folderUri: string): Promise<string[]> {
  const out = await db.client?.send(
    new QueryCommand({
      TableName: names.ledgerTable,
      KeyConditionExpression: 'folderUri = :f',
      ExpressionAttributeValues: { ':f': { S: folderUri } },
    }),
  );
  return (out?.Items ?? []).map((i) => String(unmarshall(i).objectKey));
}

/** Ends every started folder: its record READY, its execution no longer running. */
async function finishFolders(): Promise<void> {
  for (const { input } of started) {
    await db.client?.send(
      new UpdateItemCommand({
        TableName: names.recordsTable,
        Key: { folderUri: { S: String(input.folderUri) } },
        UpdateExpression: 'SET #s = :ready, datasetId = :id',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':ready': { S: 'READY' }, ':id': { S: 'ds' } },
      }),
    );
  }
  running.clear();
}

describe('the backfill: what is already in the bucket, fed through the claims of live events', () => {
  it('lists the prefix a page at a time, records each media object once and starts each folder once, in the backfill lane', async () => {
    const keys = ['in/a/1.jpg', 'in/a/2 b.jpg', 'in/a/notes.txt', 'in/b/c+d.png', 'in/b/', 'in/loose.jpg'];
    for (const key of [...keys, 'in/c/3.jpg', 'other/x.jpg']) s3.put(BUCKET, key, 'data');
    const b = backfill({ pageSize: 2 });
    const begun = await b.begin({}, execution('first'));
    const end = await runSteps(b, begun, execution('first'));
    expect(end.output).toMatchObject({
      prefix: 'in/',
      status: 'DONE',
      keysListed: 7,
      objectsRecorded: 4,
      foldersStarted: 3,
      pages: 4,
      executions: 1,
    });
    expect(started.map((s) => s.input)).toEqual([
      expect.objectContaining({ folderUri: 's3://drops/in/a/', datasetName: 'a', lane: 'backfill' }),
      expect.objectContaining({ folderUri: 's3://drops/in/b/', lane: 'backfill' }),
      expect.objectContaining({ folderUri: 's3://drops/in/c/', lane: 'backfill' }),
    ]);
    expect(await ledgerKeys('s3://drops/in/a/')).toEqual(['in/a/1.jpg', 'in/a/2 b.jpg']);
    expect(await ledgerKeys('s3://drops/in/b/')).toEqual(['in/b/c+d.png']);

    // Once more, with every folder done: nothing new to record, nothing to start.
    await finishFolders();
    const again = await runSteps(b, await b.begin({}, execution('second')), execution('second'));
    expect(again.output).toMatchObject({ keysListed: 7, objectsRecorded: 0, foldersStarted: 0 });
    expect(started).toHaveLength(3);
  });

  it('lists only under a sub-prefix, and refuses one outside the stack prefix', async () => {
    for (const key of ['in/cams/1.jpg', 'in/cams2/1.jpg', 'in/other/1.jpg']) s3.put(BUCKET, key, 'data');
    const b = backfill();
    const end = await runSteps(b, await b.begin({ prefix: 'in/cams' }, execution('sub')), execution('sub'));
    expect(end.output).toMatchObject({ prefix: 'in/cams', keysListed: 2, foldersStarted: 2 });
    expect(started.map((s) => s.input.folderUri)).toEqual(['s3://drops/in/cams/', 's3://drops/in/cams2/']);
    expect(() => backfillPrefix('cams/', 'in/')).toThrow(/not under the stack's prefix "in\/".*"in\/cams\/"/);
    expect(() => backfillPrefix(7, 'in/')).toThrow(/prefix must be a text/);
    expect(backfillPrefix(undefined, 'in/')).toBe('in/');
  });

  it('starts no more folders than the bound on folders in flight leaves room for, then pauses until some end', async () => {
    for (const f of ['a', 'b', 'c']) s3.put(BUCKET, `in/${f}/1.jpg`, 'data');
    const b = backfill({ foldersInFlight: 2 });
    const first = await b.step(await b.begin({}, execution('bound')), execution('bound'));
    expect(first).toMatchObject({ next: 'list', startAfter: 'in/b/1.jpg', totals: { foldersStarted: 2 } });
    expect(await b.step(first, execution('bound'))).toMatchObject({ next: 'wait', waitSeconds: 30 });
    await finishFolders();
    const last = await b.step(first, execution('bound'));
    expect(last.output).toMatchObject({ status: 'DONE', keysListed: 3, foldersStarted: 3 });
    expect(started.map((s) => s.input.folderUri)).toEqual(['a', 'b', 'c'].map((f) => `s3://drops/in/${f}/`));
  });

  it('runs once per prefix: a second start is refused while the first runs, and takes over one that ended', async () => {
    s3.put(BUCKET, 'in/a/1.jpg', 'data');
    const b = backfill();
    running.add(execution('one'));
    await b.begin({}, execution('one'));
    await expect(b.begin({}, execution('two'))).rejects.toThrow(
      `a backfill of "in/" is already running: ${execution('one')}`,
    );
    running.delete(execution('one'));
    const taken = await b.begin({}, execution('three'));
    await expect(b.step(taken, execution('one'))).rejects.toThrow(/taken over/);
    expect((await b.step(taken, execution('three'))).next).toBe('done');
  });

  it('continues as a new execution at its step bound, which goes on after the last key with the totals so far', async () => {
    for (const key of ['in/a/1.jpg', 'in/a/2.jpg', 'in/b/1.jpg']) s3.put(BUCKET, key, 'data');
    const b = backfill({ pageSize: 2, stepsPerExecution: 1 });
    const first = await b.step(await b.begin({}, execution('part-1')), execution('part-1'));
    expect(first.next).toBe('continue');
    const successor = first.successor as NonNullable<BackfillState['successor']>;
    expect(successor.name).toMatch(/^backfill-[0-9a-f]{24}-2$/);
    expect(first.output).toMatchObject({ status: 'CONTINUED', continuedAs: execution(successor.name) });
    // The run is the successor's from now on: a new start is refused until it ends.
    running.add(execution(successor.name));
    await expect(b.begin({}, execution('intruder'))).rejects.toThrow(/already running/);
    const second = await b.begin(successor.input, execution(successor.name));
    const end = await b.step(second, execution(successor.name));
    expect(end.output).toMatchObject({ status: 'DONE', keysListed: 3, foldersStarted: 2, executions: 2 });
  });

  it("never starts a second execution for a folder the marker trigger's state machine has claimed", async () => {
    s3.put(BUCKET, 'in/m/1.jpg', 'data');
    const markerExecution = `${MACHINE.replace(':stateMachine:', ':execution:')}:marker-event`;
    running.add(markerExecution);
    await db.client?.send(
      new PutItemCommand({
        TableName: names.recordsTable,
        Item: marshall({
          folderUri: 's3://drops/in/m/',
          status: 'PENDING',
          attempts: 1,
          executionArn: markerExecution,
          claimedAt: '2026-11-29T10:00:00.000Z',
        }),
      }),
    );
    const b = backfill({ rules: { ...RULES, trigger: 'marker' } });
    const end = await runSteps(b, await b.begin({}, execution('marker')), execution('marker'));
    expect(end.output).toMatchObject({ objectsRecorded: 1, foldersStarted: 0 });
    expect(started).toEqual([]);
  });
});
