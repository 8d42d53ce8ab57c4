import { describe, expect, it } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../lambdas/shared/metric-names';
import { LOCAL_CREDENTIALS, type LocalExecution } from '../../local/pipeline';
import { objectCreated, sampleEvent } from '../support/events';
import { emittedMetrics, metricTotal } from '../support/metrics';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({ prefix: 'incoming/' });
const BUCKET = 'acme-vision-drops';
const start = usePipelines(app);

function stateNames(execution: LocalExecution): string[] {
  return execution.events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
}

describe('the synthesized state machine, run locally', () => {
  it('takes the sample event to a READY record with the dataset id, counts and timestamps', async () => {
    const p = await start();
    const execution = await p.run(sampleEvent());
    expect(execution.status).toBe('SUCCEEDED');
    const record = await p.record('s3://acme-vision-drops/incoming/Line 3 cameras/');
    const [dataset] = [...p.simulator.datasets.values()];
    expect(dataset).toMatchObject({
      displayName: 'Line 3 cameras',
      bucketPath: 's3://acme-vision-drops/incoming/Line 3 cameras/',
    });
    expect(record).toMatchObject({
      status: 'READY',
      vlStatus: 'READY',
      datasetId: dataset?.id,
      datasetName: 'Line 3 cameras',
      datasetUrl: `${p.simulator.url}/dataset/${dataset?.id}/data`,
      nImages: 3,
      nVideos: 0,
      progress: 100,
      objectCount: 1,
      attempts: 1,
      executionArn: execution.executionArn,
      firstObjectAt: '2026-11-28T14:03:27Z',
    });
    expect(record?.polls).toBeGreaterThanOrEqual(4);
    for (const field of ['createdAt', 'updatedAt', 'finishedAt'] as const) {
      expect(Date.parse(String(record?.[field])), field).not.toBeNaN();
    }
    expect(record?.error).toBeUndefined();
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(p.published).toEqual([
      expect.objectContaining({
        source: 'vl-ingest',
        'detail-type': 'Folder Ingestion Finished',
        detail: {
          folderUri: 's3://acme-vision-drops/incoming/Line 3 cameras/',
          status: 'READY',
          datasetId: dataset?.id,
          datasetUrl: record?.datasetUrl,
          nImages: 3,
          nVideos: 0,
          executionArn: execution.executionArn,
        },
      }),
    ]);
  });

  it('counts the READY dataset, how long it indexed and its Visual Layer requests, under the stack as service', async () => {
    const p = await start();
    await p.run(sampleEvent());
    const metrics = emittedMetrics(p);
    expect(metrics.length).toBeGreaterThan(0);
    for (const metric of metrics) {
      expect(metric).toMatchObject({ namespace: METRICS_NAMESPACE, dimensions: { service: 'VlIngest' } });
    }
    expect(metricTotal(p, METRIC_NAMES.datasetsReady)).toBe(1);
    expect(metricTotal(p, METRIC_NAMES.datasetsError) + metricTotal(p, METRIC_NAMES.statusChecksFailed)).toBe(
      0,
    );
    const [duration] = metrics.filter((m) => m.name === METRIC_NAMES.indexingDuration);
    expect(duration).toMatchObject({ unit: 'Seconds', values: [expect.any(Number)] });
    // The create (a listing, then the POST) and every status check.
    const record = await p.record('s3://acme-vision-drops/incoming/Line 3 cameras/');
    expect(metricTotal(p, METRIC_NAMES.visualLayerRequests)).toBe(2 + Number(record?.polls));
    expect(
      metrics.filter((m) => m.name === METRIC_NAMES.visualLayerLatency).flatMap((m) => m.values),
    ).toHaveLength(2 + Number(record?.polls));
  });

  it('creates once when the same object event is delivered twice', async () => {
    const p = await start();
    const event = objectCreated(BUCKET, 'incoming/twice/f.jpg');
    const [a, b] = await Promise.all([p.run(event), p.run(structuredClone(event))]);
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(p.simulator.createCalls()).toHaveLength(1);
    const duplicate = [a, b].find((x) => stateNames(x).includes('FolderAlreadyClaimed'));
    expect(duplicate).toBeDefined();
    expect(stateNames(duplicate as LocalExecution)).not.toContain('CreateDataset');
    expect(await p.record('s3://acme-vision-drops/incoming/twice/')).toMatchObject({
      status: 'READY',
      objectCount: 2,
    });
  });

  it('works with a secret holding a ready-made JWT', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrIn0.c2ln';
    const p = await start({
      simulator: { auth: { mode: 'static', token: jwt } },
      secretValue: JSON.stringify({ jwt }),
    });
    expect((await p.run(objectCreated(BUCKET, 'incoming/token/f.jpg'))).status).toBe('SUCCEEDED');
    expect(await p.record('s3://acme-vision-drops/incoming/token/')).toMatchObject({ status: 'READY' });
  });

  it('works with a secret holding a bare token string', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrIn0.YmFyZQ';
    const p = await start({ simulator: { auth: { mode: 'static', token: jwt } }, secretValue: jwt });
    expect((await p.run(objectCreated(BUCKET, 'incoming/bare/f.jpg'))).status).toBe('SUCCEEDED');
  });

  it('works with API key and secret, minting a token Visual Layer verifies', async () => {
    const p = await start();
    expect((await p.run(objectCreated(BUCKET, 'incoming/keys/f.jpg'))).status).toBe('SUCCEEDED');
    expect(p.simulator.calls.every((c) => c.authorized)).toBe(true);
  });

  it('records FAILED with BAD_CREDENTIALS while the secret still holds the placeholder', async () => {
    const p = await start({
      secretValue: JSON.stringify({ apiKey: 'REPLACE_WITH_API_KEY', apiSecret: 'x' }),
    });
    await p.run(objectCreated(BUCKET, 'incoming/fresh/f.jpg'));
    const record = await p.record('s3://acme-vision-drops/incoming/fresh/');
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'BAD_CREDENTIALS' } });
    expect(errorOf(record).message).toMatch(/placeholder/);
    expect(p.simulator.calls).toHaveLength(0);
  });

  it('reads the legacy status vocabulary and spaced status words to the end', async () => {
    const p = await start({
      simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle: { vocabulary: 'legacy' } },
    });
    await p.run(objectCreated(BUCKET, 'incoming/legacy/f.jpg'));
    expect(await p.record('s3://acme-vision-drops/incoming/legacy/')).toMatchObject({ status: 'READY' });
    p.simulator.lifecycle = { vocabulary: 'spaced', outcome: 'ERROR' };
    await p.run(objectCreated(BUCKET, 'incoming/spaced/f.jpg'));
    expect(await p.record('s3://acme-vision-drops/incoming/spaced/')).toMatchObject({ status: 'ERROR' });
  });

  it('ends an object outside any dataset folder without a record or a call', async () => {
    const p = await start();
    const execution = await p.run(objectCreated(BUCKET, 'incoming/loose.jpg'));
    expect(execution.status).toBe('SUCCEEDED');
    expect(stateNames(execution)).toContain('ObjectSkipped');
    expect(await p.records()).toEqual([]);
    expect(p.simulator.calls).toHaveLength(0);
  });

  it('records a rejected event that is not an S3 Object Created event', async () => {
    const p = await start();
    const execution = await p.run({
      source: 'aws.ec2',
      'detail-type': 'EC2 Instance State-change Notification',
      detail: {},
    });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'BAD_EVENT' });
    const [record] = await p.records();
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'BAD_EVENT' } });
    expect(String(record?.folderUri)).toMatch(/^rejected-event:/);
    expect(errorOf(record).message).toMatch(/expected an S3 "Object Created" event/);
  });

  it('ingests a folder again after a failure, and never re-creates a READY one', async () => {
    const p = await start();
    p.simulator.inject({ method: 'POST', path: '/api/v1/dataset', status: 400, body: { detail: 'nope' } });
    await p.run(objectCreated(BUCKET, 'incoming/again/a.jpg'));
    expect(await p.record('s3://acme-vision-drops/incoming/again/')).toMatchObject({ status: 'FAILED' });
    await p.run(objectCreated(BUCKET, 'incoming/again/b.jpg'));
    expect(await p.record('s3://acme-vision-drops/incoming/again/')).toMatchObject({
      status: 'READY',
      attempts: 2,
    });
    await p.run(objectCreated(BUCKET, 'incoming/again/c.jpg'));
    expect(await p.record('s3://acme-vision-drops/incoming/again/')).toMatchObject({
      status: 'READY',
      objectCount: 3,
    });
    expect(p.simulator.datasets.size).toBe(1);
  });
});
