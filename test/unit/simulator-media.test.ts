import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalS3 } from '../../local/aws/s3';
import { VisualLayerSimulator } from '../../local/simulator/visual-layer-simulator';

const s3 = new LocalS3();
const sim = new VisualLayerSimulator({ lifecycle: { draftReads: 0, indexingReads: 1 } });
let client: S3Client;

beforeAll(async () => {
  const endpoint = await s3.start();
  await sim.start();
  sim.media.objects = s3;
  client = new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(async () => {
  client.destroy();
  await Promise.all([s3.stop(), sim.stop()]);
});
beforeEach(() => {
  sim.media.options = {};
});

describe('local S3: what the functions call, through the real SDK', () => {
  it('puts and gets an object, path-style', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'local-manifests', Key: 'a/b c.txt', Body: 'x\ny' }));
    const out = await client.send(new GetObjectCommand({ Bucket: 'local-manifests', Key: 'a/b c.txt' }));
    expect(await out.Body?.transformToString()).toBe('x\ny');
    expect(s3.get('local-manifests', 'a/b c.txt')?.body.toString()).toBe('x\ny');
  });

  it('lists a folder in pages, keys encoded as S3 encodes them in events', async () => {
    for (const key of ['f/a b.jpg', 'f/c+d.jpg', 'f/é.jpg', 'g/other.jpg']) s3.put('drops', key, 'data');
    const first = await client.send(
      new ListObjectsV2Command({ Bucket: 'drops', Prefix: 'f/', EncodingType: 'url', MaxKeys: 2 }),
    );
    expect(first.Contents?.map((c) => c.Key)).toEqual(['f/a+b.jpg', 'f/c%2Bd.jpg']);
    expect(first.IsTruncated).toBe(true);
    const second = await client.send(
      new ListObjectsV2Command({
        Bucket: 'drops',
        Prefix: 'f/',
        EncodingType: 'url',
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.Contents?.map((c) => c.Key)).toEqual(['f/%C3%A9.jpg']);
    expect(second.Contents?.[0]).toMatchObject({ Size: 4, LastModified: expect.any(Date) });
  });
});

async function call(method: string, path: string, form?: Record<string, string>) {
  const body = form ? new FormData() : undefined;
  for (const [k, v] of Object.entries(form ?? {})) body?.set(k, v);
  const res = await fetch(`${sim.url}${path}`, { method, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function readyDataset(): Promise<string> {
  const created = await call('POST', '/api/v1/dataset', {
    dataset_name: 'cams',
    bucket_path: 's3://drops/f/',
  });
  const id = created.body.dataset_id as string;
  expect((await call('POST', `/api/v1/dataset/${id}/add_media`, { s3_uri: 's3://drops/f/' })).status).toBe(
    400,
  );
  while ((await call('GET', `/api/v1/dataset/${id}`)).body.status_new !== 'READY');
  return id;
}

const statuses = async (id: string, reads: number) => {
  const words: string[] = [];
  for (let i = 0; i < reads; i += 1) words.push((await call('GET', `/api/v1/dataset/${id}`)).body.status_new);
  return words;
};

describe('Visual Layer simulator: add media to an existing dataset', () => {
  it('adds the media a manifest lists: 202, READ ONLY → INDEXING → READY with auto_reindex, n_images growing', async () => {
    const id = await readyDataset();
    s3.put('local-manifests', 'm/2.txt', 's3://drops/f/a b.jpg\ns3://drops/f/c+d.jpg\n');
    const add = { s3_uri: 's3://local-manifests/m/2.txt', auto_reindex: 'true' };
    expect(await call('POST', `/api/v1/dataset/${id}/add_media`, add)).toEqual({ status: 202, body: null });
    const busy = await call('POST', `/api/v1/dataset/${id}/add_media`, add);
    expect(busy).toEqual({
      status: 409,
      body: { detail: "Operation 'add_media' is blocked while MEDIA_ADDITION task is running" },
    });
    expect(await statuses(id, 4)).toEqual(['READ ONLY', 'READ ONLY', 'INDEXING', 'READY']);
    expect((await call('GET', `/api/v1/dataset/${id}`)).body.n_images).toBe(3 + 2);
    expect(sim.media.additionsOf(id)).toEqual([
      { s3Uri: add.s3_uri, keys: ['s3://drops/f/a b.jpg', 's3://drops/f/c+d.jpg'], autoReindex: true },
    ]);
    const tasks = await call('GET', `/api/v1/tasks?dataset_id=${id}&task_type=MEDIA_ADDITION&page_size=50`);
    expect(tasks.body).toMatchObject({ total: 1, page: 1, page_size: 50 });
    expect(Object.keys(tasks.body.tasks[0]).sort()).toEqual(
      [
        'dataset_id',
        'dataset_name',
        'dataset_status',
        'end_time',
        'error_message',
        'progress_percentage',
        'start_time',
        'status',
        'status_message',
        'task_id',
        'task_type',
      ].sort(),
    );
    expect(tasks.body.tasks[0]).toMatchObject({ task_type: 'MEDIA_ADDITION', status: 'COMPLETED' });
  });

  it('without auto_reindex stops at PARTIAL INDEX; reindex then goes INDEXING → READY', async () => {
    const id = await readyDataset();
    s3.put('local-manifests', 'm/3.txt', 's3://drops/f/x.jpg\n');
    const add = { s3_uri: 's3://local-manifests/m/3.txt', auto_reindex: 'false' };
    expect((await call('POST', `/api/v1/dataset/${id}/add_media`, add)).status).toBe(202);
    expect(await statuses(id, 4)).toEqual(['READ ONLY', 'READ ONLY', 'PARTIAL INDEX', 'PARTIAL INDEX']);
    expect((await call('POST', `/api/v1/dataset/${id}/add_media`, add)).status).toBe(202);
    expect(await statuses(id, 3)).toEqual(['READ ONLY', 'READ ONLY', 'PARTIAL INDEX']);
    expect((await call('POST', `/api/v1/dataset/${id}/reindex`)).status).toBe(202);
    expect((await call('POST', `/api/v1/dataset/${id}/reindex`)).status).toBe(409);
    expect(await statuses(id, 2)).toEqual(['INDEXING', 'READY']);
  });

  it('refuses zero or two sources, a manifest with no media, and answers 403 when the feature is off', async () => {
    const id = await readyDataset();
    const path = `/api/v1/dataset/${id}/add_media`;
    expect((await call('POST', path, { auto_reindex: 'true' })).status).toBe(400);
    const two = await call('POST', path, { s3_uri: 's3://drops/f/', archive: 'x.zip' });
    expect(two).toEqual({ status: 400, body: { detail: 'Provide exactly one media source' } });
    expect((await call('POST', path, { s3_uri: 's3://local-manifests/missing.txt' })).status).toBe(400);
    sim.media.options = { enabled: false };
    expect((await call('POST', path, { s3_uri: 's3://drops/f/' })).status).toBe(403);
  });
});
