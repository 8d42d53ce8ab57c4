import { describe, expect, it } from 'vitest';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { useSynthesizedApp } from '../support/synth';

const BUCKET = 'acme-vision-drops';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('marker trigger with reindex=manual', () => {
  const start = usePipelines(
    useSynthesizedApp({ prefix: 'incoming/', trigger: 'marker', reindex: 'manual' }),
  );

  it('a newer marker lists the folder; its new objects go in one add_media that ends at PARTIAL INDEX', async () => {
    const p = await start();
    const folder = `s3://${BUCKET}/incoming/night 7/`;
    const earlier = new Date(Date.now() - 60_000);
    for (const key of ['incoming/night 7/a.jpg', 'incoming/night 7/b+c.jpg'])
      p.s3.put(BUCKET, key, 'jpg', earlier);
    p.deliver(objectCreated(BUCKET, 'incoming/night 7/_READY', { size: 0 }));
    await p.settled();
    const ready = await p.record(folder);
    expect(ready).toMatchObject({ status: 'READY', generation: 1 });
    await sleep(1100);
    const added = ['incoming/night 7/d e.jpg', 'incoming/night 7/f+g.mp4', 'incoming/night 7/sub/h.png'];
    for (const key of added) p.s3.put(BUCKET, key, 'media');
    p.s3.put(BUCKET, 'incoming/night 7/notes.txt', 'not media');
    const marker = objectCreated(BUCKET, 'incoming/night 7/_READY', { size: 0 });
    p.deliver(marker);
    await p.settled();
    const additions = p.simulator.media.additionsOf(String(ready?.datasetId));
    expect(additions).toEqual([
      {
        s3Uri: expect.stringMatching(/\.txt$/),
        keys: added.map((k) => `s3://${BUCKET}/${k}`).sort(),
        autoReindex: false,
      },
    ]);
    expect(await p.record(folder)).toMatchObject({
      status: 'READY',
      vlStatus: 'PARTIAL_INDEX',
      generation: 2,
      objectCount: 5,
      append: { generation: 2, status: 'DONE', count: 3 },
    });
    // A replay of the same marker lists nothing and sends nothing.
    p.deliver(structuredClone(marker));
    await p.settled();
    expect(p.simulator.addMediaCalls()).toHaveLength(1);
    expect(p.simulator.createCalls()).toHaveLength(1);
  });
});

describe('lateObjects=ignore', () => {
  const start = usePipelines(
    useSynthesizedApp({ prefix: 'incoming/', quietSeconds: '1', lateObjects: 'ignore' }),
  );

  it('a late object is only recorded: no add_media, no task manager, no manifest', async () => {
    const p = await start();
    const folder = `s3://${BUCKET}/incoming/still/`;
    p.deliver(objectCreated(BUCKET, 'incoming/still/a.jpg'));
    await p.settled();
    await sleep(1100);
    p.deliver(objectCreated(BUCKET, 'incoming/still/late.jpg'));
    await p.settled();
    expect(p.simulator.calls.filter((c) => /add_media|tasks/.test(c.path))).toEqual([]);
    expect(p.s3.requests).toEqual([]);
    expect(await p.record(folder)).toMatchObject({ status: 'READY', generation: 1, lateObjectCount: 1 });
    expect(p.executions.size).toBe(1);
  });
});
