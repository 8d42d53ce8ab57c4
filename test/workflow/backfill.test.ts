import { describe, expect, it } from 'vitest';
import type { BackfillOutput } from '../../lambdas/shared/backfill/backfill-state';
import type { LocalExecution, LocalPipeline } from '../../local/pipeline';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/', quietSeconds: '1', maxConcurrentDatasets: '3' });
const BUCKET = 'acme-vision-drops';
/** Small pages and executions, so that a few dozen keys span pages and continue as new executions. */
const SMALL = { BACKFILL_PAGE_SIZE: '7', BACKFILL_STEPS_PER_EXECUTION: '3', BACKFILL_PAUSE_SECONDS: '1' };
const start = usePipelines(app, { functionEnvironment: SMALL });

const folderUri = (name: string) => `s3://${BUCKET}/incoming/${name}/`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Objects that were in the bucket before the deploy: in S3, no event ever seen. */
function existing(p: LocalPipeline, keys: string[]): void {
  for (const key of keys) p.s3.put(BUCKET, key, `bytes of ${key}`);
}

/** Objects uploaded live: in S3, and their events delivered; waits until everything has ended. */
async function uploaded(p: LocalPipeline, keys: string[]): Promise<void> {
  existing(p, keys);
  for (const key of keys) p.deliver(objectCreated(BUCKET, key));
  await p.settled();
}

/** Runs a backfill to its end: its executions in order (the first, then each it continued as). */
async function backfill(p: LocalPipeline, input: Record<string, unknown> = {}): Promise<LocalExecution[]> {
  let arn: string | undefined = p.startBackfill(input);
  await p.settled();
  const chain: LocalExecution[] = [];
  while (arn) {
    const run: LocalExecution | undefined = p.executions.get(arn)?.result;
    if (!run) throw new Error(`no execution ${arn}`);
    chain.push(run);
    arn = (run.output as BackfillOutput | undefined)?.continuedAs;
  }
  return chain;
}

const lastOutput = (chain: LocalExecution[]) => chain.at(-1)?.output as BackfillOutput;

describe('backfill: folders already in the bucket become datasets like drops', () => {
  it('20 folders (one READY lacking 3 objects, one FAILED) → 19 creates and one append of exactly those 3; a second run changes nothing', async () => {
    const parked: unknown[] = [];
    const p = await start({
      onExecutionEvent: (_name, event) => {
        if (event.type === 'StateEntered' && event.state.name === 'WaitForSlot')
          parked.push(event.state.input);
      },
    });
    // A folder that failed live (its create refused), and one that is READY.
    p.simulator.inject({ method: 'POST', path: '/api/v1/dataset', status: 400, body: { detail: 'nope' } });
    await uploaded(p, ['incoming/failed/a.jpg', 'incoming/failed/b.jpg']);
    expect(await p.record(folderUri('failed'))).toMatchObject({ status: 'FAILED', attempts: 1 });
    await uploaded(p, ['incoming/ready/a.jpg', 'incoming/ready/b.jpg']);
    const ready = await p.record(folderUri('ready'));
    expect(ready).toMatchObject({ status: 'READY', generation: 1 });
    await sleep(1100);
    const lacking = ['incoming/ready/c 1.jpg', 'incoming/ready/c+2.jpg', 'incoming/ready/c3.png'];
    const fresh = Array.from({ length: 18 }, (_, i) => `cam ${String(i).padStart(2, '0')}`);
    existing(p, [
      ...lacking,
      ...fresh.flatMap((f) => [`incoming/${f}/frame 1.jpg`, `incoming/${f}/frame+2.jpg`]),
      'incoming/notes.txt',
      'other/cams/x.jpg',
    ]);
    const createsBefore = p.simulator.createCalls().length;
    parked.length = 0;

    const chain = await backfill(p);
    expect(chain.map((e) => e.status)).toEqual(chain.map(() => 'SUCCEEDED'));
    expect(chain.length, 'it continued as new executions').toBeGreaterThan(1);
    expect(lastOutput(chain)).toMatchObject({
      prefix: 'incoming/',
      status: 'DONE',
      keysListed: 2 + 2 + 3 + 36 + 1,
      objectsRecorded: 3 + 36,
      foldersStarted: 18 + 1 + 1,
      executions: chain.length,
    });
    expect(p.simulator.createCalls().length - createsBefore).toBe(19);
    expect(p.simulator.addMediaCalls()).toHaveLength(1);
    const added = p.simulator.media.additionsOf(String(ready?.datasetId)).map((a) => [...a.keys].sort());
    expect(added).toEqual([lacking.map((k) => `s3://${BUCKET}/${k}`).sort()]);
    const records = await p.records();
    expect(records).toHaveLength(20);
    expect(records.every((r) => r.status === 'READY')).toBe(true);
    expect(await p.record(folderUri('failed'))).toMatchObject({ attempts: 2, lastStatus: 'FAILED' });
    expect(await p.record(folderUri('ready'))).toMatchObject({ generation: 2, datasetId: ready?.datasetId });
    // The gate (3 slots) made backfilled folders wait, in the backfill lane.
    expect(parked.length).toBeGreaterThan(0);
    expect(parked.every((input) => (input as { lane?: string }).lane === 'backfill')).toBe(true);

    const again = await backfill(p);
    expect(lastOutput(again)).toMatchObject({ keysListed: 44, objectsRecorded: 0, foldersStarted: 0 });
    expect(p.simulator.createCalls().length - createsBefore).toBe(19);
    expect(p.simulator.addMediaCalls()).toHaveLength(1);
  });

  it('a sub-prefix touches nothing else; a second start of a running prefix says so and ends', async () => {
    const p = await start();
    existing(p, ['incoming/a1/x.jpg', 'incoming/a2/x.jpg', 'incoming/b1/x.jpg']);
    const first = p.startBackfill({ prefix: 'incoming/a' });
    const second = p.startBackfill({ prefix: 'incoming/a' });
    const outside = p.startBackfill({ prefix: 'b1/' });
    await p.settled();
    const ended = [first, second, outside].map((arn) => p.executions.get(arn)?.result);
    expect(ended.map((e) => e?.status).sort()).toEqual(['FAILED', 'FAILED', 'SUCCEEDED']);
    expect(ended.find((e) => e?.error === 'BackfillAlreadyRunning')?.cause).toMatch(/already running: arn:/);
    expect(ended[2]).toMatchObject({ error: 'InvalidInputError' });
    expect(ended.find((e) => e?.status === 'SUCCEEDED')?.output).toMatchObject({
      prefix: 'incoming/a',
      status: 'DONE',
      keysListed: 2,
      foldersStarted: 2,
    });
    expect((await p.records()).map((r) => r.folderUri).sort()).toEqual([folderUri('a1'), folderUri('a2')]);
  });
});
