import { DeleteItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../local/pipeline';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/', quietSeconds: '1' });
const BUCKET = 'acme-vision-drops';
const start = usePipelines(app);

/** Runs a folder to READY and returns its record. */
async function ready(p: LocalPipeline, folder: string): Promise<Record<string, unknown>> {
  p.deliver(objectCreated(BUCKET, `incoming/${folder}/a.jpg`));
  await p.settled();
  const record = await p.record(`s3://${BUCKET}/incoming/${folder}/`);
  expect(record).toMatchObject({ status: 'READY' });
  return record ?? {};
}

/** What an execution that died without writing its record leaves behind. */
async function setStatus(p: LocalPipeline, folderUri: string, status: string): Promise<void> {
  await p.dynamodb.client?.send(
    new UpdateItemCommand({
      TableName: p.tableName,
      Key: { folderUri: { S: folderUri } },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': { S: status } },
    }),
  );
}

describe('a folder whose execution is gone starts again', () => {
  it('following the docs for a stuck record (delete it, upload an object) ingests the folder again', async () => {
    const p = await start();
    const folderUri = `s3://${BUCKET}/incoming/deleted/`;
    await ready(p, 'deleted');
    await p.dynamodb.client?.send(
      new DeleteItemCommand({ TableName: p.tableName, Key: { folderUri: { S: folderUri } } }),
    );
    p.deliver(objectCreated(BUCKET, 'incoming/deleted/b.jpg'));
    await p.settled();
    expect(await p.record(folderUri)).toMatchObject({ status: 'READY', objectCount: 2, attempts: 1 });
    // A second execution ran the new claim (the first one's name stays taken in Step Functions).
    expect(p.executions.size).toBe(2);
  });

  it('a PENDING record whose execution has ended is claimed again and resumes its dataset, never creating again', async () => {
    const p = await start();
    const folderUri = `s3://${BUCKET}/incoming/pending/`;
    const before = await ready(p, 'pending');
    await setStatus(p, folderUri, 'PENDING');
    p.deliver(objectCreated(BUCKET, 'incoming/pending/b.jpg'));
    await p.settled();
    const after = await p.record(folderUri);
    expect(after).toMatchObject({ status: 'READY', datasetId: before.datasetId });
    expect(after?.executionArn).not.toBe(before.executionArn);
    expect(p.simulator.createCalls()).toHaveLength(1);
  });

  it('an INDEXING record whose execution has ended resumes polling its dataset when objects arrive', async () => {
    const p = await start();
    const folderUri = `s3://${BUCKET}/incoming/indexing/`;
    const before = await ready(p, 'indexing');
    await setStatus(p, folderUri, 'INDEXING');
    p.deliver(objectCreated(BUCKET, 'incoming/indexing/b.jpg'));
    await p.settled();
    expect(await p.record(folderUri)).toMatchObject({ status: 'READY', datasetId: before.datasetId });
    expect(p.simulator.createCalls()).toHaveLength(1);
  });

  it('a CREATING record whose execution is still running is left alone', async () => {
    const p = await start({ simulator: { lifecycle: { indexingReads: 6 } } });
    const folderUri = `s3://${BUCKET}/incoming/running/`;
    p.deliver(objectCreated(BUCKET, 'incoming/running/a.jpg'));
    // Late objects while the one execution is still at work start nothing now.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    p.deliver(objectCreated(BUCKET, 'incoming/running/b.jpg'));
    await p.settled();
    // b.jpg is in the dataset: read with the folder, or appended once it was READY (by a batch of its own).
    expect(await p.record(folderUri)).toMatchObject({ status: 'READY', attempts: 1, objectCount: 2 });
    const creates = [...p.executions.values()].filter((e) => !('append' in JSON.parse(e.input)));
    expect(creates).toHaveLength(1);
    expect(p.simulator.createCalls()).toHaveLength(1);
  });
});
