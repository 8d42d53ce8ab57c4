import { describe, expect, it } from 'vitest';
import type { LocalExecution } from '../../local/pipeline';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/', quietSeconds: '1' });
const BUCKET = 'acme-vision-drops';
const start = usePipelines(app);

function stateNames(execution: LocalExecution): string[] {
  return execution.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
}

describe('dataset names: every folder gets its own dataset', () => {
  it('gives "cams" and "cams " (trailing space) two datasets, each reading its own folder', async () => {
    const p = await start();
    for (const folder of ['cams', 'cams ']) {
      expect((await p.run(objectCreated(BUCKET, `incoming/${folder}/f.jpg`))).status).toBe('SUCCEEDED');
    }
    const records = await Promise.all(
      ['cams', 'cams '].map((folder) => p.record(`s3://${BUCKET}/incoming/${folder}/`)),
    );
    expect(p.simulator.datasets.size).toBe(2);
    expect(new Set(records.map((r) => r?.datasetId)).size).toBe(2);
    for (const record of records) {
      expect(record).toMatchObject({ status: 'READY' });
      const dataset = p.simulator.datasets.get(String(record?.datasetId));
      expect(dataset).toMatchObject({ bucketPath: record?.folderUri, displayName: record?.datasetName });
    }
  });

  it('makes exactly one dataset for a long name cut near an emoji when the create answer is lost', async () => {
    const p = await start();
    const folder = `${'x'.repeat(90)}${'\u{1F600}'.repeat(3)}${'y'.repeat(20)}`;
    p.simulator.inject({ method: 'POST', path: '/api/v1/dataset', drop: 'after' });
    const execution = await p.run(objectCreated(BUCKET, `incoming/${folder}/f.jpg`));
    expect(execution.status).toBe('SUCCEEDED');
    const record = await p.record(`s3://${BUCKET}/incoming/${folder}/`);
    const datasets = [...p.simulator.datasets.values()];
    expect(datasets).toHaveLength(1);
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(record).toMatchObject({
      status: 'READY',
      datasetId: datasets[0]?.id,
      datasetName: datasets[0]?.displayName,
    });
  });
});

describe('folders Visual Layer must not be given', () => {
  it.each([
    ['".."', 'incoming/../f.jpg', /not a folder name/],
    ['"."', 'incoming/./f.jpg', /not a folder name/],
    ['only spaces', 'incoming/   /f.jpg', /blank folder name/],
  ])('skips a folder named %s: no record, no call, the reason logged', async (_what, key, reason) => {
    const p = await start();
    for (let i = 0; i < 2; i += 1) {
      const execution = await p.run(objectCreated(BUCKET, key.replace('f.jpg', `f${i}.jpg`)));
      expect(execution.status).toBe('SUCCEEDED');
      expect(stateNames(execution)).toContain('ObjectSkipped');
    }
    expect(await p.records()).toEqual([]);
    expect(p.simulator.calls).toHaveLength(0);
    const skipped = p.functionLogs.filter((l) => l.includes('object skipped'));
    expect(skipped).toHaveLength(2);
    for (const line of skipped) expect(line).toMatch(reason);
  });
});

describe('events naming another bucket', () => {
  it('an execution started with another bucket fails as BAD_EVENT without touching Visual Layer', async () => {
    const p = await start();
    const execution = await p.run(objectCreated('another-bucket', 'incoming/set/f.jpg'));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'BAD_EVENT' });
    const [record] = await p.records();
    expect(String(record?.folderUri)).toMatch(/^rejected-event:/);
    expect(errorOf(record).message).toMatch(/"another-bucket".*"acme-vision-drops"/);
    expect(p.simulator.calls).toHaveLength(0);
  });

  it('a queued event naming another bucket is skipped and logged: no execution, no record', async () => {
    const p = await start();
    const [queue] = [...p.queues.values()];
    if (!queue) throw new Error('the quiet trigger has an object queue');
    queue.send(JSON.stringify(objectCreated('another-bucket', 'incoming/set/f.jpg')));
    await p.settled();
    expect(p.executions.size).toBe(0);
    expect(await p.records()).toEqual([]);
    expect(queue.deadLetters).toEqual([]);
    expect(p.functionLogs.some((l) => l.includes('objects skipped') && l.includes('another-bucket'))).toBe(
      true,
    );
  });
});
