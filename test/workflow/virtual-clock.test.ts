import { describe, expect, it } from 'vitest';
import type { LocalPipeline } from '../../local/pipeline';
import { LOCAL_CREDENTIALS } from '../../local/pipeline';
import type { SimulatorLifecycle, SimulatorLimits } from '../../local/simulator/visual-layer-simulator';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

// The defaults: polls from 30 s, backoff up to 300 s, a 24 h deadline. Hours pass on the virtual clock.
const app = useSynthesizedApp();
const startPipeline = usePipelines(app, { clock: 'virtual' });
const FOLDER = 's3://acme-vision-drops/long/';
const CREATE = { method: 'POST', path: '/api/v1/dataset' } as const;
const HOUR = 3600_000;

function start(lifecycle: SimulatorLifecycle, limits: SimulatorLimits = {}): Promise<LocalPipeline> {
  return startPipeline({ simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle, limits } });
}

async function ingest(p: LocalPipeline) {
  const execution = await p.run(objectCreated('acme-vision-drops', 'long/frame.jpg'));
  const record = await p.record(FOLDER);
  const [dataset] = [...p.simulator.datasets.values()];
  return { execution, record, dataset };
}

/** When the attempt began: the time StartAttempt put in the state. */
function attemptStart(execution: Awaited<ReturnType<typeof ingest>>['execution']): number {
  const entered = execution.events.find((e) => e.type === 'StateEntered' && e.state.name === 'CreateDataset');
  const since = (entered?.type === 'StateEntered' ? entered.state.input : undefined) as
    | { created: { value: { since: string } } }
    | undefined;
  return Date.parse(since?.created.value.since ?? '');
}

describe('on the virtual clock', () => {
  it('2 h of linear indexing is noticed ≤ 60 s after READY with ≤ 24 status checks', async () => {
    const p = await start({ indexingSeconds: 2 * 3600 });
    const { record, dataset } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY', datasetId: dataset?.id });
    const readyAt = (dataset?.createdAt.getTime() ?? 0) + 2 * HOUR;
    const noticedAt = Date.parse(String(record?.finishedAt));
    expect(noticedAt).toBeGreaterThanOrEqual(readyAt);
    expect(noticedAt - readyAt).toBeLessThanOrEqual(60_000);
    expect(Number(record?.polls)).toBeLessThanOrEqual(24);
    const reads = p.simulator.calls.filter(
      (c) => c.method === 'GET' && c.path.startsWith('/api/v1/dataset/'),
    );
    expect(reads).toHaveLength(Number(record?.polls));
  });

  it('a 429 with Retry-After: 3600 on create waits about an hour, then creates once and succeeds', async () => {
    const p = await start({ indexingSeconds: 600 });
    p.simulator.inject({
      ...CREATE,
      status: 429,
      headers: { 'retry-after': '3600' },
      body: { detail: 'busy' },
    });
    const { execution, record } = await ingest(p);
    expect(execution.status).toBe('SUCCEEDED');
    expect(record).toMatchObject({ status: 'READY' });
    const [refused, created] = p.simulator.createCalls();
    expect([refused?.status, created?.status]).toEqual([429, 200]);
    const waited = (created?.at ?? 0) - (refused?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(HOUR);
    expect(waited).toBeLessThan(HOUR + 60_000);
    expect(p.simulator.datasets.size).toBe(1);
  });

  it('the waits Visual Layer asks for count against the one deadline: 20 h of Retry-After leave 4 h to index', async () => {
    const p = await start({ indexingSeconds: 5 * 3600 });
    p.simulator.inject({ ...CREATE, status: 429, headers: { 'retry-after': String(20 * 3600) } });
    const { execution, record } = await ingest(p);
    expect(record).toMatchObject({ status: 'TIMED_OUT', error: { code: 'TIMED_OUT' } });
    expect(errorOf(record).message).toMatch(/maxWaitMinutes=1440/);
    const finishedAt = Date.parse(String(record?.finishedAt));
    expect(finishedAt - attemptStart(execution)).toBeGreaterThanOrEqual(24 * HOUR);
    expect(finishedAt - attemptStart(execution)).toBeLessThan(24 * HOUR + 5 * 60_000);
  });

  it('the simulator refuses creates beyond its limit of datasets in progress, with its Retry-After', async () => {
    const p = await start({ indexingSeconds: 1800 }, { maxInProgress: 1, retryAfterSeconds: 900 });
    const [first, second] = await Promise.all([
      p.run(objectCreated('acme-vision-drops', 'one/a.jpg')),
      p.run(objectCreated('acme-vision-drops', 'two/a.jpg')),
    ]);
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const statuses = p.simulator.createCalls().map((c) => c.status);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(p.simulator.peakInProgress).toBe(1);
  });
});
