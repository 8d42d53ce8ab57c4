import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/pipeline';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/', quietSeconds: '1' });
const BUCKET = 'acme-vision-drops';
const start = usePipelines(app);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('quiet trigger: rule → queue → folding function → one execution per folder', () => {
  it('creates one dataset only after the folder has been quiet for quietSeconds', async () => {
    const p = await start();
    const times: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const event = objectCreated(BUCKET, `incoming/night 1/frame ${i}.jpg`);
      times.push(event.time);
      expect(p.deliver(event)).toBe(true);
      await sleep(300);
      if (i === 2) {
        // Still uploading: no dataset yet, and the record shows what the folder holds so far.
        expect(p.simulator.createCalls()).toHaveLength(0);
        const collecting = await p.record('s3://acme-vision-drops/incoming/night 1/');
        expect(collecting).toMatchObject({ status: 'PENDING', firstObjectAt: times[0] });
        expect(Number(collecting?.objectCount)).toBeGreaterThanOrEqual(1);
      }
    }
    await p.settled();
    const datasets = [...p.simulator.datasets.values()];
    expect(datasets).toHaveLength(1);
    const lastObjectAt = Date.parse(times.at(-1) as string);
    expect(datasets[0]?.createdAt.getTime()).toBeGreaterThanOrEqual(lastObjectAt + 1000);
    expect(await p.record('s3://acme-vision-drops/incoming/night 1/')).toMatchObject({
      status: 'READY',
      objectCount: 4,
      firstObjectAt: times[0],
      lastObjectAt: times.at(-1),
      attempts: 1,
      datasetName: 'night 1',
    });
    expect(p.executions.size).toBe(1);
  });

  it('counts each object once when S3 delivers its event twice', async () => {
    const p = await start();
    const events = [0, 1, 2].map((i) => objectCreated(BUCKET, `incoming/dupes/f${i}.png`));
    for (const e of [...events, events[0], events[2]]) p.deliver(structuredClone(e));
    await p.settled();
    expect(await p.record('s3://acme-vision-drops/incoming/dupes/')).toMatchObject({
      status: 'READY',
      objectCount: 3,
    });
    expect(p.simulator.createCalls()).toHaveLength(1);
  });

  it('ingests media whose extension is in mixed case (.Jpg, .PNG, .jPeG)', async () => {
    const p = await start();
    const keys = ['incoming/title/a.Jpg', 'incoming/upper/b.PNG', 'incoming/mixed/c.jPeG'];
    for (const key of keys) p.deliver(objectCreated(BUCKET, key));
    await p.settled();
    for (const folder of ['title', 'upper', 'mixed']) {
      expect(await p.record(`s3://acme-vision-drops/incoming/${folder}/`), folder).toMatchObject({
        status: 'READY',
        objectCount: 1,
      });
    }
    expect(p.simulator.datasets.size).toBe(3);
  });

  it('never starts anything for placeholders, empty objects, other files or keys outside a folder', async () => {
    const p = await start();
    const ignoredByRule = [
      objectCreated(BUCKET, 'incoming/new folder/', { size: 0 }),
      objectCreated(BUCKET, 'incoming/set/empty.jpg', { size: 0 }),
      objectCreated(BUCKET, 'incoming/loose.jpg'),
      objectCreated(BUCKET, 'elsewhere/set/f.jpg'),
      objectCreated('another-bucket', 'incoming/set/f.jpg'),
    ];
    for (const event of ignoredByRule) expect(p.deliver(event), event.detail.object.key).toBe(false);
    // The rule cannot tell media by extension in every case; the folding function drops the rest.
    const droppedByFunction = [
      objectCreated(BUCKET, 'incoming/set/readme.txt'),
      objectCreated(BUCKET, 'incoming/set/archive.zip'),
      objectCreated(BUCKET, 'incoming/other folder/'),
    ];
    for (const event of droppedByFunction) expect(p.deliver(event), event.detail.object.key).toBe(true);
    await p.settled();
    expect(p.executions.size).toBe(0);
    expect(await p.records()).toEqual([]);
  });

  it('ingests a folder again when new objects arrive after ERROR, keeping the last outcome', async () => {
    const p = await start({
      simulator: {
        auth: { mode: 'jwt', ...LOCAL_CREDENTIALS },
        lifecycle: { outcome: 'ERROR', fatalErrorMsg: 'no access' },
      },
    });
    p.deliver(objectCreated(BUCKET, 'incoming/redo/a.jpg'));
    await p.settled();
    const failed = await p.record('s3://acme-vision-drops/incoming/redo/');
    expect(failed).toMatchObject({ status: 'ERROR', attempts: 1, datasetId: expect.any(String) });
    p.simulator.lifecycle = {};
    p.deliver(objectCreated(BUCKET, 'incoming/redo/b.jpg'));
    await p.settled();
    const record = await p.record('s3://acme-vision-drops/incoming/redo/');
    expect(record).toMatchObject({
      status: 'READY',
      attempts: 2,
      objectCount: 2,
      lastStatus: 'ERROR',
      lastError: { code: 'VL_ERROR', message: 'no access' },
      lastDatasetId: failed?.datasetId,
    });
    expect(record?.datasetId).not.toBe(failed?.datasetId);
    expect(errorOf(record).code).toBeUndefined();
    expect(p.simulator.createCalls()).toHaveLength(2);
  });

  it('a replayed or duplicate event of a known object after a failure only counts: no second dataset', async () => {
    const p = await start({ simulator: { lifecycle: { outcome: 'ERROR', fatalErrorMsg: 'no access' } } });
    const folder = 's3://acme-vision-drops/incoming/replayed/';
    const first = objectCreated(BUCKET, 'incoming/replayed/a.jpg');
    p.deliver(first);
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'ERROR', attempts: 1 });
    p.simulator.lifecycle = {};
    // A dead letter replayed, and S3 delivering the same event again.
    p.deliver(structuredClone(first));
    p.deliver({ ...structuredClone(first), id: 'another-delivery-id' });
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'ERROR', attempts: 1 });
    expect(p.simulator.createCalls()).toHaveLength(1);
    // An object that is new to the folder does open a new attempt.
    p.deliver(objectCreated(BUCKET, 'incoming/replayed/b.jpg'));
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 2 });
    expect(p.simulator.createCalls()).toHaveLength(2);
  });

  it('an object written again under a known key (a newer S3 sequencer) opens a new attempt after a failure', async () => {
    const p = await start({ simulator: { lifecycle: { outcome: 'ERROR', fatalErrorMsg: 'no access' } } });
    const folder = 's3://acme-vision-drops/incoming/rewritten/';
    const first = objectCreated(BUCKET, 'incoming/rewritten/a.jpg');
    p.deliver(first);
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'ERROR', attempts: 1 });
    p.simulator.lifecycle = {};
    const again = objectCreated(BUCKET, 'incoming/rewritten/a.jpg');
    expect(again.detail.object.sequencer > first.detail.object.sequencer).toBe(true);
    p.deliver(again);
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 2 });
  });

  it('does not create again for objects that arrive after READY', async () => {
    const p = await start();
    p.deliver(objectCreated(BUCKET, 'incoming/done/a.jpg'));
    await p.settled();
    const ready = await p.record('s3://acme-vision-drops/incoming/done/');
    expect(ready).toMatchObject({ status: 'READY' });
    p.deliver(objectCreated(BUCKET, 'incoming/done/late.jpg'));
    await p.settled();
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(await p.record('s3://acme-vision-drops/incoming/done/')).toMatchObject({
      status: 'READY',
      datasetId: ready?.datasetId,
      attempts: 1,
    });
  });
});

describe('quiet trigger: nothing is lost', () => {
  it('retries a message the folding function cannot handle five times, then keeps it in the dead-letter queue', async () => {
    const p = await start();
    const [queue] = [...p.queues.values()];
    if (!queue) throw new Error('the quiet trigger has an object queue');
    queue.send(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: {} } }));
    p.deliver(objectCreated(BUCKET, 'incoming/fine/a.jpg'));
    await p.settled();
    expect(queue.deadLetters).toHaveLength(1);
    expect(queue.deadLetters[0]?.receives).toBe(5);
    expect(await p.record('s3://acme-vision-drops/incoming/fine/')).toMatchObject({
      status: 'READY',
      objectCount: 1,
    });
  });

  it('replaying the dead-letter queue as the docs say re-creates nothing and loses nothing', async () => {
    const p = await start({ simulator: { lifecycle: { outcome: 'ERROR', fatalErrorMsg: 'no access' } } });
    const folder = 's3://acme-vision-drops/incoming/dlq/';
    const [queue] = [...p.queues.values()];
    if (!queue) throw new Error('the quiet trigger has an object queue');
    const old = objectCreated(BUCKET, 'incoming/dlq/a.jpg');
    p.deliver(old);
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'ERROR', attempts: 1 });
    // The folding function fails for a while: a duplicate of the old event and a new object's event
    // end in the dead-letter queue after five receives each.
    const fold = p.fn('FoldEvents');
    const invoke = fold.invoke.bind(fold);
    fold.invoke = async () => {
      throw Object.assign(new Error('Task timed out after 60.00 seconds'), { name: 'Sandbox.Timedout' });
    };
    p.deliver(structuredClone(old));
    p.deliver(objectCreated(BUCKET, 'incoming/dlq/b.jpg'));
    await p.settled();
    expect(queue.deadLetters).toHaveLength(2);
    fold.invoke = invoke;
    p.simulator.lifecycle = {};
    // "aws sqs start-message-move-task": every dead letter back into the object queue.
    for (const letter of queue.deadLetters.splice(0)) queue.send(letter.body);
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 2, objectCount: 2 });
    expect(p.simulator.createCalls()).toHaveLength(2);
    // Replaying the same letters once more changes nothing.
    queue.send(JSON.stringify(old));
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 2 });
    expect(p.simulator.createCalls()).toHaveLength(2);
  });

  it('delivers a folder again when its batch failed, and still makes one dataset', async () => {
    const p = await start();
    const fold = p.fn('FoldEvents');
    const invoke = fold.invoke.bind(fold);
    let failures = 2;
    fold.invoke = async (payload) => {
      if (failures > 0) {
        failures -= 1;
        throw Object.assign(new Error('Task timed out after 60.00 seconds'), { name: 'Sandbox.Timedout' });
      }
      return invoke(payload);
    };
    for (let i = 0; i < 3; i += 1) p.deliver(objectCreated(BUCKET, `incoming/retry/f${i}.jpg`));
    await p.settled();
    expect(failures).toBe(0);
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(await p.record('s3://acme-vision-drops/incoming/retry/')).toMatchObject({
      status: 'READY',
      objectCount: 3,
    });
    for (const queue of p.queues.values()) expect(queue.deadLetters).toEqual([]);
  });
});
