import { describe, expect, it } from 'vitest';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/', quietSeconds: '1' });
const start = usePipelines(app, { functionEnvironment: { VL_REQUEST_TIMEOUT_MS: '400' } });

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
