import { describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../local/pipeline';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/', quietSeconds: '1' });
const start = usePipelines(app);
const BUCKET = 'acme-vision-drops';
const APPENDED = 'Folder Objects Appended';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const folderUri = (name: string) => `s3://${BUCKET}/incoming/${name}/`;
const keysIn = (name: string, files: string[]) => files.map((f) => `incoming/${name}/${f}`);
const uris = (keys: string[]) => keys.map((k) => `s3://${BUCKET}/${k}`).sort();

/** Uploads the keys (one event each) and waits for everything to end. */
async function upload(p: LocalPipeline, keys: string[]): Promise<void> {
  for (const key of keys) p.deliver(objectCreated(BUCKET, key));
  await p.settled();
}

/** A folder ingested to READY; then a second passes, so that new objects are after its create. */
async function readyFolder(p: LocalPipeline, name: string): Promise<Record<string, unknown>> {
  await upload(p, keysIn(name, ['first.jpg']));
  const record = await p.record(folderUri(name));
  expect(record).toMatchObject({ status: 'READY', generation: 1 });
  await sleep(1100);
  return record ?? {};
}

/** The keys each add_media of the folder's dataset listed, in order. */
function manifests(p: LocalPipeline, datasetId: unknown): string[][] {
  return p.simulator.media.additionsOf(String(datasetId)).map((a) => [...a.keys].sort());
}

const appendedEvents = (p: LocalPipeline) =>
  p.published.filter((e) => e['detail-type'] === APPENDED).map((e) => e.detail as Record<string, unknown>);

describe('living folders: late objects join their folder dataset, exactly once', () => {
  it('5 late objects (and a replayed old event) → one add_media whose manifest lists exactly those 5', async () => {
    const p = await start();
    const old = objectCreated(BUCKET, 'incoming/cams/first.jpg');
    p.deliver(old);
    await p.settled();
    const ready = await p.record(folderUri('cams'));
    expect(ready).toMatchObject({ status: 'READY', generation: 1 });
    await sleep(1100);
    const late = keysIn('cams', ['l1.jpg', 'l2.jpg', 'l 3.jpg', 'l+4.jpg', 'l5.png']);
    for (const key of late) p.deliver(objectCreated(BUCKET, key));
    // A replayed event of the old object, and a newer write of it: both known, never sent again.
    p.deliver(structuredClone(old));
    p.deliver(objectCreated(BUCKET, 'incoming/cams/first.jpg'));
    await p.settled();
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(p.simulator.addMediaCalls()).toHaveLength(1);
    expect(manifests(p, ready?.datasetId)).toEqual([uris(late)]);
    const record = await p.record(folderUri('cams'));
    expect(record).toMatchObject({
      status: 'READY',
      datasetId: ready?.datasetId,
      generation: 2,
      objectCount: 6,
      append: { generation: 2, status: 'DONE', count: 5, taskId: expect.any(String) },
      appends: [{ generation: 2, status: 'DONE', count: 5 }],
    });
    expect(appendedEvents(p)).toEqual([
      expect.objectContaining({ folderUri: folderUri('cams'), generation: 2, added: 5, status: 'DONE' }),
    ]);
    // Once more: nothing new, nothing sent.
    p.deliver(objectCreated(BUCKET, late[0] as string));
    await p.settled();
    expect(p.simulator.addMediaCalls()).toHaveLength(1);
  });

  it('objects that trickle in while a batch collects go in that batch: no second, empty batch', async () => {
    const p = await start();
    const ready = await readyFolder(p, 'trickle');
    const late = keysIn('trickle', ['t1.jpg', 't2.jpg', 't3.jpg']);
    for (const key of late) {
      p.deliver(objectCreated(BUCKET, key));
      await sleep(300);
    }
    await p.settled();
    expect(manifests(p, ready.datasetId)).toEqual([uris(late)]);
    expect(await p.record(folderUri('trickle'))).toMatchObject({ generation: 2, appends: [{ count: 3 }] });
  });

  it('objects that arrive while the dataset is indexing are appended once it is READY', async () => {
    const p = await start({ waitMs: 150, simulator: { lifecycle: { indexingReads: 12 } } });
    p.deliver(objectCreated(BUCKET, 'incoming/busy/first.jpg'));
    while (p.simulator.createCalls().length === 0) await sleep(50);
    await sleep(1100);
    const during = keysIn('busy', ['d1.jpg', 'd2.jpg']);
    for (const key of during) p.deliver(objectCreated(BUCKET, key));
    await sleep(300);
    expect((await p.record(folderUri('busy')))?.status).toBe('INDEXING');
    await p.settled();
    const record = await p.record(folderUri('busy'));
    expect(record).toMatchObject({ status: 'READY', generation: 2, objectCount: 3 });
    expect(manifests(p, record?.datasetId)).toEqual([uris(during)]);
  });

  it('a second late batch during an append becomes its own add_media', async () => {
    const p = await start({ waitMs: 100, simulator: { media: { addReads: 10 } } });
    const ready = await readyFolder(p, 'twice');
    const first = keysIn('twice', ['a.jpg', 'b.jpg']);
    for (const key of first) p.deliver(objectCreated(BUCKET, key));
    while (p.simulator.addMediaCalls().length === 0) await sleep(50);
    const second = keysIn('twice', ['c.jpg']);
    await upload(p, second);
    expect(manifests(p, ready.datasetId)).toEqual([uris(first), uris(second)]);
    expect(await p.record(folderUri('twice'))).toMatchObject({
      generation: 3,
      objectCount: 4,
      append: { generation: 3, status: 'DONE', count: 1 },
      appends: [
        { generation: 2, count: 2 },
        { generation: 3, count: 1 },
      ],
    });
  });

  it('a batch whose execution was stopped is taken over by the next object and never posted twice', async () => {
    const p = await start({ waitMs: 100, simulator: { media: { addReads: 8 } } });
    const ready = await readyFolder(p, 'stopped');
    const first = keysIn('stopped', ['s1.jpg', 's2.jpg']);
    for (const key of first) p.deliver(objectCreated(BUCKET, key));
    while (p.simulator.addMediaCalls().length === 0) await sleep(50);
    const batch = (await p.record(folderUri('stopped')))?.append as { executionArn: string };
    await p.stopExecution(batch.executionArn);
    const more = keysIn('stopped', ['s3.jpg']);
    await upload(p, more);
    expect(p.simulator.addMediaCalls()).toHaveLength(2);
    expect(manifests(p, ready.datasetId)).toEqual([uris(first), uris(more)]);
    expect(await p.record(folderUri('stopped'))).toMatchObject({
      generation: 3,
      objectCount: 4,
      appends: [
        { generation: 2, status: 'DONE', count: 2 },
        { generation: 3, status: 'DONE', count: 1 },
      ],
    });
  });

  it('a 409 (another operation running) is waited out, then the batch is sent once', async () => {
    const p = await start();
    const ready = await readyFolder(p, 'conflict');
    p.simulator.inject({ method: 'POST', path: /\/add_media$/, status: 409, body: { detail: 'busy' } });
    await upload(p, keysIn('conflict', ['x.jpg']));
    expect(p.simulator.addMediaCalls().map((c) => c.status)).toEqual([409, 202]);
    expect(manifests(p, ready.datasetId)).toHaveLength(1);
    expect(await p.record(folderUri('conflict'))).toMatchObject({ append: { status: 'DONE', count: 1 } });
  });

  it('a lost 202 is not posted again: the task manager says the batch was accepted', async () => {
    const p = await start();
    const ready = await readyFolder(p, 'lost');
    p.simulator.inject({ method: 'POST', path: /\/add_media$/, drop: 'after' });
    await upload(p, keysIn('lost', ['y.jpg', 'z.jpg']));
    expect(p.simulator.addMediaCalls().map((c) => c.status)).toEqual(['dropped']);
    expect(p.simulator.calls.some((c) => c.method === 'GET' && c.path === '/api/v1/tasks')).toBe(true);
    expect(manifests(p, ready.datasetId)).toEqual([uris(keysIn('lost', ['y.jpg', 'z.jpg']))]);
    expect(await p.record(folderUri('lost'))).toMatchObject({ generation: 2, append: { status: 'DONE' } });
  });

  it('403 (feature off) fails the batch clearly, the folder stays READY, and its objects are sent later', async () => {
    const p = await start();
    const ready = await readyFolder(p, 'refused');
    p.simulator.media.options = { enabled: false };
    await upload(p, keysIn('refused', ['r1.jpg']));
    const failed = await p.record(folderUri('refused'));
    expect(failed).toMatchObject({
      status: 'READY',
      datasetId: ready.datasetId,
      append: { generation: 2, status: 'FAILED', error: { code: 'FORBIDDEN' } },
    });
    expect(JSON.stringify(failed?.append)).toMatch(/refused adding media .*\(403\)/);
    expect(appendedEvents(p)).toEqual([expect.objectContaining({ status: 'FAILED', added: 0 })]);
    expect(p.simulator.createCalls()).toHaveLength(1);
    // Switched on again: the next object's batch sends the refused one with it.
    p.simulator.media.options = {};
    await upload(p, keysIn('refused', ['r2.jpg']));
    expect(manifests(p, ready.datasetId)).toEqual([uris(keysIn('refused', ['r1.jpg', 'r2.jpg']))]);
    expect(await p.record(folderUri('refused'))).toMatchObject({ generation: 3, objectCount: 3 });
  });
});
