import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, type LocalPipeline, type LocalPipelineOptions } from '../../local/pipeline';
import type { SimulatorLifecycle } from '../../local/simulator/visual-layer-simulator';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

// Three slots; everything else as deployed by default (30 s polls, a 24 h deadline), on the virtual clock.
const app = useSynthesizedApp({ maxConcurrentDatasets: '3', quietSeconds: '60' });
const startPipeline = usePipelines(app, { clock: 'virtual' });
const BUCKET = 'acme-vision-drops';
const CREATE = { method: 'POST', path: '/api/v1/dataset' } as const;

/**
 * A pipeline whose executions are watched: how many are between "create or append sent" and their end (the
 * final record, after which the slot is given back).
 */
async function start(lifecycle: SimulatorLifecycle, options: Omit<LocalPipelineOptions, 'app'> = {}) {
  const inFlight = new Set<string>();
  const seen = { peak: 0 };
  const p = await startPipeline({
    simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle },
    ...options,
    onExecutionEvent: (name, event) => {
      options.onExecutionEvent?.(name, event);
      if (event.type === 'StateEntered' && /^(CreateDataset|SendBatch)$/.test(event.state.name))
        inFlight.add(name);
      const ended = event.type === 'StateEntered' && event.state.name.startsWith('ReleaseSlot');
      if (ended || (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted'))
        inFlight.delete(name);
      seen.peak = Math.max(seen.peak, inFlight.size);
    },
  });
  return { p, seen };
}

function drop(p: LocalPipeline, folders: string[]): void {
  for (const folder of folders) p.deliver(objectCreated(BUCKET, `${folder}/a.jpg`));
}

/** The gate's semaphore and waiting list, as stored. */
async function gateOf(p: LocalPipeline): Promise<{ holders: string[]; waiting: number }> {
  const items = (await p.dynamodb.scan(p.gateTableName)).map((i) => unmarshall(i as never));
  const slots = items.find((i) => i.pk === 'slots');
  return {
    holders: [...((slots?.holders as Set<string> | undefined) ?? [])],
    waiting: items.filter((i) => i.pk === 'waiting').length,
  };
}

/** Resolves once the simulator holds `count` datasets (the folders got their slots and created). */
async function created(p: LocalPipeline, count: number): Promise<void> {
  while (p.simulator.datasets.size < count) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Every record, by its folder's name. */
async function recordsByFolder(p: LocalPipeline): Promise<Record<string, Record<string, unknown>>> {
  return Object.fromEntries((await p.records()).map((r) => [String(r.folderUri).split('/')[3], r]));
}

const folders = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('the gate on datasets in flight', () => {
  it('30 folders at once, 3 slots, a Visual Layer that refuses a 4th dataset in progress: 30 READY, never more than 3 in flight, no create refused', async () => {
    const { p, seen } = await start({ indexingSeconds: 20 * 60 });
    p.simulator.limits = { maxInProgress: 3, retryAfterSeconds: 600 };
    drop(p, folders('batch-', 30));
    const runs = await p.settled();
    expect(runs).toHaveLength(30);
    const records = await p.records();
    expect(records.filter((r) => r.status === 'READY')).toHaveLength(30);
    expect(seen.peak).toBe(3);
    expect(p.simulator.peakInProgress).toBeLessThanOrEqual(3);
    expect(p.simulator.createCalls().filter((c) => c.status === 429)).toHaveLength(0);
    expect(p.simulator.createCalls()).toHaveLength(30);
    expect(await gateOf(p)).toEqual({ holders: [], waiting: 0 });
  });

  it('a slot comes back when its folder fails or ends in ERROR, and goes to a parked folder', async () => {
    const { p, seen } = await start({ indexingSeconds: 600, outcome: 'ERROR', fatalErrorMsg: 'no access' });
    p.simulator.inject({ ...CREATE, status: 400, body: { detail: 'Invalid bucket path' }, times: 2 });
    drop(p, folders('bad-', 3));
    await created(p, 1);
    p.simulator.lifecycle = { indexingSeconds: 600 };
    drop(p, folders('good-', 3));
    await p.settled();
    const statuses = (await p.records()).map(
      (r: Record<string, unknown>) => `${String(r.folderUri).split('/')[3]?.replace(/\d/, '')}:${r.status}`,
    );
    expect(statuses.sort()).toEqual([
      'bad-:ERROR',
      'bad-:FAILED',
      'bad-:FAILED',
      'good-:READY',
      'good-:READY',
      'good-:READY',
    ]);
    expect(seen.peak).toBe(3);
    expect(await gateOf(p)).toEqual({ holders: [], waiting: 0 });
  });

  it('a slot comes back when its folder times out at the deadline, and goes to a parked folder', async () => {
    const { p, seen } = await start({ indexingSeconds: 60, outcome: 'NEVER' });
    drop(p, folders('slow-', 3));
    await created(p, 3);
    p.simulator.lifecycle = { indexingSeconds: 600 };
    // Half-way through their 24 h: the next folder's own deadline is still ahead when they time out.
    const halfway = p.clock.now() + 12 * 3600_000;
    while (p.clock.now() < halfway) await new Promise((resolve) => setTimeout(resolve, 20));
    drop(p, ['next']);
    await p.settled();
    const byFolder = await recordsByFolder(p);
    for (const folder of folders('slow-', 3)) expect(byFolder[folder]).toMatchObject({ status: 'TIMED_OUT' });
    expect(byFolder.next).toMatchObject({ status: 'READY' });
    const nextCreated = p.simulator.createCalls().at(-1)?.at ?? 0;
    const firstCreated = p.simulator.createCalls()[0]?.at ?? 0;
    expect(nextCreated - firstCreated).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(seen.peak).toBe(3);
    expect(await gateOf(p)).toEqual({ holders: [], waiting: 0 });
  });

  it('a slot comes back when its execution is stopped (the reconciler releases it), and goes to a parked folder', async () => {
    const { p } = await start({ indexingSeconds: 6 * 3600 });
    drop(p, folders('held-', 3));
    await created(p, 3);
    drop(p, ['parked']);
    while ((await gateOf(p)).waiting < 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const [stopped] = (await gateOf(p)).holders;
    await p.stopExecution(String(stopped), 'Operator', 'stopped by hand');
    await p.settled();
    const byFolder = await recordsByFolder(p);
    expect(byFolder.parked).toMatchObject({ status: 'READY' });
    expect(Object.values(byFolder).filter((r) => r.status === 'FAILED')).toHaveLength(1);
    expect(p.runs.get(String(stopped)).status).toBe('ABORTED');
    expect(await gateOf(p)).toEqual({ holders: [], waiting: 0 });
  });

  it('a parked folder gives up TIMED_OUT at its deadline when no slot comes free, and leaves the waiting list', async () => {
    const { p } = await start({ indexingSeconds: 600 });
    // Three slots held by executions that never give them back.
    await p.dynamodb.client?.send(
      new UpdateItemCommand({
        TableName: p.gateTableName,
        Key: { pk: { S: 'slots' }, sk: { S: 'datasets' } },
        UpdateExpression: 'SET holders = :h, inFlight = :n',
        ExpressionAttributeValues: {
          ':h': {
            SS: [
              'arn:aws:states:x:0:execution:m:a',
              'arn:aws:states:x:0:execution:m:b',
              'arn:aws:states:x:0:execution:m:c',
            ],
          },
          ':n': { N: '3' },
        },
      }),
    );
    drop(p, ['starved']);
    await p.settled();
    const record = await p.record(`s3://${BUCKET}/starved/`);
    expect(record).toMatchObject({ status: 'TIMED_OUT', error: { code: 'TIMED_OUT' } });
    expect(errorOf(record).message).toMatch(/no slot of the 3 datasets in flight/);
    expect(p.simulator.createCalls()).toHaveLength(0);
    expect((await gateOf(p)).waiting).toBe(0);
    // The sweep gives back the slots of executions that do not run.
    await p.runScheduledRules();
    expect(await gateOf(p)).toEqual({ holders: [], waiting: 0 });
  });

  it('an append batch takes a slot like a create: with every slot held it parks, sends once one comes back, and gives it back', async () => {
    const batchStates: string[] = [];
    const { p, seen } = await start(
      { indexingSeconds: 600 },
      {
        onExecutionEvent: (_name, event) => {
          if (event.type === 'StateEntered' && /ForBatch$|^SendBatch$/.test(event.state.name))
            batchStates.push(event.state.name);
        },
      },
    );
    drop(p, ['grow']);
    await p.settled();
    expect(await p.record(`s3://${BUCKET}/grow/`)).toMatchObject({ status: 'READY', generation: 1 });
    // Three other folders take every slot and index for 10 minutes; then the late object arrives.
    drop(p, folders('busy-', 3));
    await created(p, 4);
    // S3's time for it is the pipeline's (virtual) time: after the dataset's create.
    const time = new Date(p.clock.now() + 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    p.deliver(objectCreated(BUCKET, 'grow/late.jpg', { time }));
    await p.settled();
    expect(batchStates.indexOf('WaitForSlotForBatch')).toBeGreaterThanOrEqual(0);
    expect(batchStates.indexOf('WaitForSlotForBatch')).toBeLessThan(batchStates.indexOf('SendBatch'));
    // Creates and batches together: never more than the 3 slots between "sent" and their end.
    expect(seen.peak).toBe(3);
    expect(p.simulator.addMediaCalls()).toHaveLength(1);
    expect(await p.record(`s3://${BUCKET}/grow/`)).toMatchObject({
      status: 'READY',
      generation: 2,
      append: { generation: 2, status: 'DONE', count: 1 },
    });
    expect((await p.records()).filter((r) => r.status === 'READY')).toHaveLength(4);
    expect(await gateOf(p)).toEqual({ holders: [], waiting: 0 });
  });
});
