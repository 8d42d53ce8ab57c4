import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutOf, isAfterCut } from '../../lambdas/shared/append/batch';
import { CHECKS_WITHOUT_TASK, endBeforeTask, endWithTask } from '../../lambdas/shared/append/finish-batch';
import {
  fitsManifest,
  keysOfManifest,
  manifestKey,
  manifestText,
} from '../../lambdas/shared/append/manifest';
import { VisualLayerForbiddenError } from '../../lambdas/shared/errors';
import { VisualLayerClient } from '../../lambdas/shared/visual-layer/client';
import { addMedia, findMediaTask } from '../../lambdas/shared/visual-layer/media';
import { LocalS3 } from '../../local/aws/s3';
import { VisualLayerSimulator } from '../../local/simulator/visual-layer-simulator';

const s3 = new LocalS3();
const sim = new VisualLayerSimulator({ lifecycle: { draftReads: 0, indexingReads: 0 } });
let client: VisualLayerClient;

beforeAll(async () => {
  await sim.start();
  sim.media.objects = s3;
  client = new VisualLayerClient({
    baseUrl: sim.url,
    auth: { header: async () => undefined },
    timeoutMs: 2000,
  });
});
afterAll(async () => {
  await sim.stop();
});

async function readyDataset(): Promise<string> {
  const { datasetId } = await client.createDataset({ name: 'cams', bucketPath: 's3://drops/cams/' });
  await client.getDatasetStatus(datasetId);
  return datasetId;
}

describe('manifests', () => {
  it('list one s3://bucket/key line per object, decoded keys as they are, and read back the same keys', () => {
    const keys = ['cams/a b.jpg', 'cams/c+d.jpg', 'cams/ü/é.png'];
    const text = manifestText('drops', keys);
    expect(text).toBe('s3://drops/cams/a b.jpg\ns3://drops/cams/c+d.jpg\ns3://drops/cams/ü/é.png\n');
    expect(keysOfManifest(text, 'drops')).toEqual(keys);
    expect(fitsManifest('cams/line\nbreak.jpg')).toBe(false);
  });

  it('are named per folder, dataset and generation', () => {
    const a = manifestKey('s3://drops/cams/', 'd-1', 2);
    expect(a).toMatch(/^manifests\/[0-9a-f]{32}\/d-1\/2\.txt$/);
    expect(manifestKey('s3://drops/cams/', 'd-2', 2)).not.toBe(a);
    expect(manifestKey('s3://drops/other/', 'd-1', 2)).not.toBe(a);
  });
});

describe('the cut between the create and the appends', () => {
  it('counts objects S3 created after Visual Layer accepted the create as new', () => {
    const cut = cutOf({
      folderUri: 's3://b/f/',
      datasetCreatedAt: '2026-11-29T10:00:00.500Z',
      settledAt: 'x',
    });
    expect(isAfterCut('2026-11-29T10:00:00Z', cut)).toBe(false);
    expect(isAfterCut('2026-11-29T10:00:01Z', cut)).toBe(true);
    expect(cutOf({ folderUri: 's3://b/f/', settledAt: '2026-11-29T09:00:00Z' })).toBe('2026-11-29T09:00:00Z');
  });
});

describe('add_media and the task manager', () => {
  it('202 is accepted, 409 is busy, 403 is a refusal', async () => {
    const id = await readyDataset();
    s3.put('manifests', 'm.txt', 's3://drops/cams/x.jpg\n');
    const input = { s3Uri: 's3://manifests/m.txt', autoReindex: true };
    expect(await addMedia(client, id, input)).toEqual({ accepted: true });
    expect(await addMedia(client, id, input)).toEqual({
      accepted: false,
      busy: expect.stringContaining('MEDIA_ADDITION task is running'),
    });
    sim.media.options = { enabled: false };
    await expect(addMedia(client, id, input)).rejects.toBeInstanceOf(VisualLayerForbiddenError);
    sim.media.options = {};
  });

  it("finds a batch's own MEDIA_ADDITION task, never an earlier batch's", async () => {
    const id = await readyDataset();
    s3.put('manifests', 'n.txt', 's3://drops/cams/y.jpg\n');
    const before = new Date(Date.now() - 1000);
    await addMedia(client, id, { s3Uri: 's3://manifests/n.txt', autoReindex: true });
    const found = await findMediaTask(client, id, { postedAt: before, batchStartedAt: before, exclude: [] });
    expect(found).toMatchObject({ status: 'RUNNING', taskId: expect.any(String) });
    const excluded = { postedAt: before, batchStartedAt: before, exclude: [found?.taskId as string] };
    expect(await findMediaTask(client, id, excluded)).toBeUndefined();
    for (let i = 0; i < 3; i += 1) await client.getDatasetStatus(id);
    const later = new Date(Date.now() + 1000);
    // Ended before the batch began: an earlier batch's task, whatever the clock margin allows.
    expect(
      await findMediaTask(client, id, { postedAt: later, batchStartedAt: later, exclude: [] }),
    ).toBeUndefined();
  });
});

describe('how a batch ended', () => {
  const done = {
    outcome: 'READY',
    vlStatus: 'READY',
    progress: 100,
    nImages: 9,
    nVideos: 0,
    message: '',
    polls: 5,
  } as const;
  const task = (status: string) => ({ taskId: 't', status, startedAt: 0 });

  it('a failure caught on the way keeps its error code and the function error message', () => {
    const cause = JSON.stringify({ errorType: 'VisualLayerForbiddenError', errorMessage: 'refused (403)' });
    expect(endBeforeTask({ failure: { Error: 'VisualLayerForbiddenError', Cause: cause } })).toEqual({
      status: 'FAILED',
      error: { code: 'FORBIDDEN', message: 'refused (403)' },
    });
    expect(endBeforeTask({ failure: { Error: 'States.Timeout', Cause: 'took too long' } })).toMatchObject({
      error: { code: 'INTERNAL', message: 'took too long' },
    });
  });

  it("Visual Layer's ERROR and the deadline fail the batch; a dataset that looks done asks its task", () => {
    expect(endBeforeTask({ poll: { ...done, outcome: 'ERROR', message: 'broken' } })).toMatchObject({
      error: { code: 'VL_ERROR', message: 'broken' },
    });
    expect(endBeforeTask({ poll: { ...done, outcome: 'TIMED_OUT', message: 'late' } })).toMatchObject({
      error: { code: 'TIMED_OUT' },
    });
    expect(endBeforeTask({ poll: done })).toBeUndefined();
  });

  it('waits while the MEDIA_ADDITION task runs, fails when it failed, ends when it completed', () => {
    expect(endWithTask(task('RUNNING'), 9)).toBe('WAIT');
    expect(endWithTask(task('INITIALIZING'), 9)).toBe('WAIT');
    expect(endWithTask({ ...task('FAILED'), errorMessage: 'no access' }, 9)).toMatchObject({
      status: 'FAILED',
      error: { code: 'VL_ERROR', message: expect.stringContaining('no access') },
    });
    expect(endWithTask(task('COMPLETED'), 1)).toMatchObject({ status: 'DONE', task: { taskId: 't' } });
  });

  it('a task not listed yet is waited for a few checks; without the task manager the status decides', () => {
    expect(endWithTask(undefined, CHECKS_WITHOUT_TASK - 1)).toBe('WAIT');
    expect(endWithTask(undefined, CHECKS_WITHOUT_TASK)).toEqual({ status: 'DONE', task: undefined });
    expect(endWithTask('unknown', 0)).toEqual({ status: 'DONE' });
  });
});
