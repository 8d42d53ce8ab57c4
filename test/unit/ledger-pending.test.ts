import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ObjectLedger } from '../../infra/constructs/object-ledger';
import type { LedgerObject } from '../../lambdas/shared/ledger/folder-batch';
import { writeLedgerObjects } from '../../lambdas/shared/ledger/ledger-store';
import { countInDataset, listPending, markSent } from '../../lambdas/shared/ledger/pending';
import { LocalDynamoDb } from '../../local/aws/dynamodb';

const FOLDER = 's3://b/in/cams/';
const db = new LocalDynamoDb();
let table = '';
let tables = 0;

/** The ledger table exactly as the construct declares it. */
function ledgerProperties(): Record<string, unknown> {
  const stack = new Stack(new App(), 'T');
  new ObjectLedger(stack, 'Ledger');
  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::Table'));
  return (resource as { Properties: Record<string, unknown> }).Properties;
}

beforeAll(async () => {
  await db.start();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  tables += 1;
  table = `ledger-${tables}`;
  await db.createTableFromTemplate(table, ledgerProperties());
});

const object = (key: string, sequencer: string, objectAt = '2026-11-29T10:00:00Z'): LedgerObject => ({
  key,
  objectAt,
  size: 10,
  sequencer,
  etag: `e-${sequencer}`,
});
const write = (objects: LedgerObject[], trackPending = true) =>
  writeLedgerObjects(db.client as never, table, { folderUri: FOLDER, objects }, { trackPending });
const item = async (key: string) => {
  const out = await db.client?.send(
    new GetItemCommand({ TableName: table, Key: { folderUri: { S: FOLDER }, objectKey: { S: key } } }),
  );
  return out?.Item ? unmarshall(out.Item) : undefined;
};
const pendingKeys = async () => (await listPending(db.client as never, table, FOLDER)).map((p) => p.key);

describe('the object ledger: which object is in which dataset', () => {
  it('lists a new object as pending until a batch marks it sent with its generation', async () => {
    const written = await write([object('in/cams/a.jpg', '01'), object('in/cams/b.jpg', '02')]);
    expect(written.inserted.map((o) => o.key)).toEqual(['in/cams/a.jpg', 'in/cams/b.jpg']);
    expect(await pendingKeys()).toEqual(['in/cams/a.jpg', 'in/cams/b.jpg']);
    await markSent(db.client as never, table, FOLDER, ['in/cams/a.jpg'], 2);
    expect(await pendingKeys()).toEqual(['in/cams/b.jpg']);
    expect(await item('in/cams/a.jpg')).toMatchObject({ generation: 2 });
    expect(await item('in/cams/a.jpg')).not.toHaveProperty('pendingFolder');
    expect(await countInDataset(db.client as never, table, FOLDER)).toBe(1);
  });

  it('a replayed event changes nothing, and a newer write of a sent object keeps it sent', async () => {
    await write([object('in/cams/a.jpg', '05')]);
    await markSent(db.client as never, table, FOLDER, ['in/cams/a.jpg'], 1);
    const replay = await write([object('in/cams/a.jpg', '05')]);
    expect(replay).toEqual({ written: 0, inserted: [] });
    const newer = await write([object('in/cams/a.jpg', '0A', '2026-11-29T11:00:00Z')]);
    expect(newer).toEqual({ written: 1, inserted: [] });
    expect(await item('in/cams/a.jpg')).toMatchObject({
      generation: 1,
      objectAt: '2026-11-29T11:00:00Z',
      addedAt: '2026-11-29T10:00:00Z',
    });
    expect(await pendingKeys()).toEqual([]);
  });

  it('a newer write of a pending object keeps it pending, once', async () => {
    await write([object('in/cams/a.jpg', '05')]);
    await write([object('in/cams/a.jpg', '06')]);
    expect(await pendingKeys()).toEqual(['in/cams/a.jpg']);
  });

  it('an object listed without a sequencer is only inserted', async () => {
    const listed = { key: 'in/cams/c.jpg', objectAt: '2026-11-29T09:00:00Z', size: 3 };
    expect((await write([listed])).inserted).toHaveLength(1);
    expect(await write([{ ...listed, objectAt: '2026-11-29T12:00:00Z' }])).toEqual({
      written: 0,
      inserted: [],
    });
    expect(await item('in/cams/c.jpg')).toMatchObject({ objectAt: '2026-11-29T09:00:00Z' });
  });

  it('without pending tracking (lateObjects=ignore) nothing is pending', async () => {
    await write([object('in/cams/a.jpg', '01')], false);
    expect(await pendingKeys()).toEqual([]);
    expect(await item('in/cams/a.jpg')).toMatchObject({ sequencer: expect.any(String) });
  });
});

describe('the ledger table', () => {
  it('keeps its items: no TTL, retained with the stack, a sparse index of pending objects with their S3 time', () => {
    const stack = new Stack(new App(), 'T');
    new ObjectLedger(stack, 'Ledger');
    const template = Template.fromStack(stack);
    const [resource] = Object.values(template.findResources('AWS::DynamoDB::Table')) as {
      DeletionPolicy?: string;
      Properties: Record<string, unknown>;
    }[];
    expect(resource?.DeletionPolicy).toBe('Retain');
    expect(resource?.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(resource?.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'pendingByFolder',
        KeySchema: [
          { AttributeName: 'pendingFolder', KeyType: 'HASH' },
          { AttributeName: 'objectKey', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['addedAt'] },
      },
    ]);
  });
});
