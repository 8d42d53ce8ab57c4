import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LocalPipeline } from '../../local/pipeline';
import { objectCreated } from '../support/events';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

// 0.02 minutes = 1.2 s of indexing before the pipeline gives up.
const app = useSynthesizedApp({
  maxWaitMinutes: '0.02',
  pollIntervalSeconds: '1',
  maxPollIntervalSeconds: '2',
});
let pipeline: LocalPipeline | undefined;

afterEach(async () => {
  await pipeline?.stop();
  pipeline = undefined;
});

describe('deadlines and crashes', () => {
  it('records TIMED_OUT when Visual Layer never reaches a terminal status', async () => {
    pipeline = await LocalPipeline.start({
      app: app(),
      waitMs: 50,
      simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle: { outcome: 'NEVER' } },
    });
    const execution = await pipeline.run(objectCreated('drops', 'slow/f.jpg'));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'TIMED_OUT' });
    const record = await pipeline.record('s3://drops/slow/');
    expect(record).toMatchObject({ status: 'TIMED_OUT', vlStatus: 'INDEXING', error: { code: 'TIMED_OUT' } });
    expect(errorOf(record).message).toMatch(/still INDEXING.*maxWaitMinutes=0.02/);
    expect(Number(record?.polls)).toBeGreaterThan(1);
  });

  it('retries a crashed function once, then records FAILED instead of hanging', async () => {
    pipeline = await LocalPipeline.start({ app: app() });
    const check = pipeline.fn('CheckStatus');
    let crashes = 0;
    check.invoke = async () => {
      crashes += 1;
      throw Object.assign(new Error('Lambda did not return an error type'), { name: 'Lambda.Unknown' });
    };
    const execution = await pipeline.run(objectCreated('drops', 'crash/f.jpg'));
    expect(crashes).toBe(2);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'INTERNAL' });
    const record = await pipeline.record('s3://drops/crash/');
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'INTERNAL' } });
    expect(errorOf(record).message).toMatch(/Check step failed with Lambda.Unknown/);
    expect(record?.datasetId).toBeDefined();
  });
});
