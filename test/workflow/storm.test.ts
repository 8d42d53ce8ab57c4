import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LocalPipeline } from '../../local/pipeline';
import { objectCreated, type S3ObjectCreatedEvent } from '../support/events';
import { useSynthesizedApp } from '../support/synth';

// quietSeconds must exceed the time the local queue takes to record a folder's objects (seconds here,
// under the 5 s batching window in AWS), as docs/how-it-works.md advises for real deployments. The
// gate on datasets in flight is off: this is about folding a storm into one dataset per folder, and
// 100 folders through 10 slots on the system clock would double the time (gate.test.ts has the gate).
const app = useSynthesizedApp({ prefix: 'storm/', quietSeconds: '8', maxConcurrentDatasets: '0' });
let pipeline: LocalPipeline | undefined;
afterAll(async () => pipeline?.stop());

/** A seeded shuffle, so a failure can be replayed. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

describe('event storm', () => {
  it('makes exactly one dataset per folder for 100 folders × 100 objects, 5% duplicates, shuffled', async () => {
    pipeline = await LocalPipeline.start({
      app: app(),
      simulator: {
        auth: { mode: 'jwt', ...LOCAL_CREDENTIALS },
        lifecycle: { draftReads: 0, indexingReads: 1 },
      },
    });
    const p = pipeline;
    const events: S3ObjectCreatedEvent[] = [];
    for (let f = 0; f < 100; f += 1) {
      for (let o = 0; o < 100; o += 1)
        events.push(objectCreated('acme-vision-drops', `storm/cam ${f}/frame ${o}.jpg`));
    }
    const duplicates = events.filter((_, i) => i % 20 === 7).map((e) => structuredClone(e));
    const delivery = shuffle([...events, ...duplicates], 42);
    expect(delivery).toHaveLength(10_500);
    // Delivered concurrently in waves, as EventBridge would while the batches are being processed.
    for (let i = 0; i < delivery.length; i += 1500) {
      for (const event of delivery.slice(i, i + 1500)) expect(p.deliver(event)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const executions = await p.settled();

    expect(p.simulator.createCalls()).toHaveLength(100);
    expect(new Set([...p.simulator.datasets.values()].map((d) => d.displayName)).size).toBe(100);
    const records = await p.records();
    expect(records).toHaveLength(100);
    for (const record of records) {
      expect(record, String(record.folderUri)).toMatchObject({
        status: 'READY',
        objectCount: 100,
        attempts: 1,
      });
    }
    expect(executions).toHaveLength(100);
    expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
    for (const queue of p.queues.values()) expect(queue.deadLetters).toEqual([]);
  }, 240_000);
});
