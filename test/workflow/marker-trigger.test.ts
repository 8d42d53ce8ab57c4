import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeOutputsFile } from '../../local/outputs';
import { runCli } from '../support/cli';
import { objectCreated } from '../support/events';
import { usePipelines } from '../support/pipeline';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/', trigger: 'marker' });
const BUCKET = 'acme-vision-drops';
const start = usePipelines(app);

describe('marker trigger: rule → state machine, on the marker only', () => {
  it('starts nothing for media objects and creates the dataset once the marker lands', async () => {
    const p = await start();
    for (let i = 0; i < 5; i += 1)
      expect(p.deliver(objectCreated(BUCKET, `incoming/batch 7/f${i}.jpg`))).toBe(false);
    await p.settled();
    expect(p.executions.size).toBe(0);
    expect(p.simulator.calls).toHaveLength(0);

    const marker = objectCreated(BUCKET, 'incoming/batch 7/_READY', { size: 0 });
    expect(p.deliver(marker)).toBe(true);
    expect(p.deliver(structuredClone(marker))).toBe(true);
    const executions = await p.settled();
    expect(executions).toHaveLength(2);
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(p.simulator.datasets.values().next().value).toMatchObject({
      displayName: 'batch 7',
      bucketPath: 's3://acme-vision-drops/incoming/batch 7/',
    });
    expect(await p.record('s3://acme-vision-drops/incoming/batch 7/')).toMatchObject({
      status: 'READY',
      attempts: 1,
    });
  });

  it('a new marker after a failed attempt claims the folder again and keeps the last dataset', async () => {
    const p = await start({ simulator: { lifecycle: { outcome: 'ERROR', fatalErrorMsg: 'no access' } } });
    const folder = 's3://acme-vision-drops/incoming/redo/';
    p.deliver(objectCreated(BUCKET, 'incoming/redo/_READY', { size: 0 }));
    await p.settled();
    const failed = await p.record(folder);
    expect(failed).toMatchObject({ status: 'ERROR', attempts: 1, datasetId: expect.any(String) });
    p.simulator.lifecycle = {};
    p.deliver(objectCreated(BUCKET, 'incoming/redo/_READY', { size: 0 }));
    await p.settled();
    const record = await p.record(folder);
    expect(record).toMatchObject({
      status: 'READY',
      attempts: 2,
      lastStatus: 'ERROR',
      lastError: { code: 'VL_ERROR', message: 'no access' },
      lastDatasetId: failed?.datasetId,
    });
    expect(record?.datasetId).not.toBe(failed?.datasetId);
    expect(record?.error).toBeUndefined();
  });

  it('a new marker after a failure before any dataset claims the folder again without a last dataset', async () => {
    const p = await start();
    const folder = 's3://acme-vision-drops/incoming/early/';
    p.simulator.inject({ method: 'POST', path: '/api/v1/dataset', status: 400, body: { detail: 'nope' } });
    p.deliver(objectCreated(BUCKET, 'incoming/early/_READY', { size: 0 }));
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'FAILED', error: { code: 'BAD_REQUEST' } });
    p.deliver(objectCreated(BUCKET, 'incoming/early/_READY', { size: 0 }));
    await p.settled();
    const record = await p.record(folder);
    expect(record).toMatchObject({ status: 'READY', attempts: 2, lastStatus: 'FAILED' });
    expect(record?.lastDatasetId).toBeUndefined();
  });

  it('a replayed or duplicate marker event after a failure opens no new attempt; a new marker does', async () => {
    const p = await start({ simulator: { lifecycle: { outcome: 'ERROR', fatalErrorMsg: 'no access' } } });
    const folder = 's3://acme-vision-drops/incoming/replay/';
    const marker = objectCreated(BUCKET, 'incoming/replay/_READY', { size: 0 });
    p.deliver(marker);
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'ERROR', attempts: 1 });
    p.simulator.lifecycle = {};
    p.deliver(structuredClone(marker));
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'ERROR', attempts: 1 });
    expect(p.simulator.createCalls()).toHaveLength(1);
    p.deliver(objectCreated(BUCKET, 'incoming/replay/_READY', { size: 0 }));
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 2 });
    expect(p.simulator.createCalls()).toHaveLength(2);
  });

  it('vl-ingest retry opens the next attempt with a newer marker event; a replay of the old one still opens none', async () => {
    const p = await start({ simulator: { lifecycle: { outcome: 'ERROR', fatalErrorMsg: 'no access' } } });
    const folder = 's3://acme-vision-drops/incoming/retried/';
    const marker = objectCreated(BUCKET, 'incoming/retried/_READY', { size: 0 });
    p.deliver(marker);
    await p.settled();
    expect(await p.record(folder)).toMatchObject({ status: 'ERROR', attempts: 1 });
    p.simulator.lifecycle = {};
    const scratch = mkdtempSync(path.join(tmpdir(), 'vl-ingest-marker-'));
    try {
      const outputsFile = writeOutputsFile(p, path.join(scratch, 'outputs.json'));
      const env = { ...process.env, ...p.toolEnvironment() };
      const retried = await runCli(['--outputs-file', outputsFile, 'retry', folder], env);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toContain(`started attempt 2 of ${folder} (the last one ended ERROR)`);
      await p.settled();
      expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 2, lastStatus: 'ERROR' });
      expect(p.simulator.createCalls()).toHaveLength(2);
      p.deliver(structuredClone(marker));
      await p.settled();
      expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 2 });
      const refused = await runCli(['--outputs-file', outputsFile, 'retry', folder], env);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('is READY') });
      expect(p.simulator.createCalls()).toHaveLength(2);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('ignores a marker below the folder level and other names', async () => {
    const p = await start();
    p.deliver(objectCreated(BUCKET, 'incoming/batch 8/sub/_READY'));
    p.deliver(objectCreated(BUCKET, 'incoming/batch 8/READY'));
    await p.settled();
    expect(p.simulator.createCalls()).toHaveLength(0);
    expect(await p.records()).toEqual([]);
  });

  it('a backfill takes every folder it lists as complete: one without a marker is created at once, and its marker later creates nothing', async () => {
    const p = await start();
    const folder = 's3://acme-vision-drops/incoming/old/';
    for (const key of ['incoming/old/a.jpg', 'incoming/old/b.jpg']) p.s3.put(BUCKET, key, 'bytes');
    p.startBackfill({});
    await p.settled();
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 1 });
    p.deliver(objectCreated(BUCKET, 'incoming/old/_READY', { size: 0 }));
    await p.settled();
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(await p.record(folder)).toMatchObject({ status: 'READY', attempts: 1 });
  });
});
