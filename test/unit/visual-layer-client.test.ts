import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  VisualLayerAuthError,
  VisualLayerBadRequestError,
  VisualLayerResponseError,
  VisualLayerTransientError,
} from '../../lambdas/shared/errors';
import { VisualLayerClient, type VisualLayerExchange } from '../../lambdas/shared/visual-layer/client';
import { createDatasetOnce } from '../../lambdas/shared/visual-layer/create-dataset';
import { BearerAuth } from '../../lambdas/shared/visual-layer/credentials';
import { VisualLayerSimulator } from '../../local/simulator/visual-layer-simulator';

const keys = { apiKey: 'k-1', apiSecret: 'secret-one-0123456789' };
const sim = new VisualLayerSimulator({ auth: { mode: 'jwt', ...keys } });
let secretValue = JSON.stringify(keys);
let secretReads: boolean[] = [];
let client: VisualLayerClient;

beforeAll(async () => {
  await sim.start();
});
afterAll(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.auth = { mode: 'jwt', ...keys };
  sim.lifecycle = {};
  secretValue = JSON.stringify(keys);
  secretReads = [];
  const auth = new BearerAuth(async ({ fresh }) => {
    secretReads.push(fresh);
    return secretValue;
  }, 'vl/creds');
  client = new VisualLayerClient({ baseUrl: `${sim.url}/`, auth, timeoutMs: 300 });
});

const create = () => client.createDataset({ name: 'cams', bucketPath: 's3://drops/cams/' });

describe('VisualLayerClient.createDataset', () => {
  it('posts multipart form fields and returns dataset_id', async () => {
    const { datasetId } = await create();
    const dataset = sim.datasets.get(datasetId);
    expect(dataset).toMatchObject({ displayName: 'cams', bucketPath: 's3://drops/cams/' });
  });

  it('accepts the SDK variant {"id"}', async () => {
    sim.lifecycle = { idField: 'id' };
    const { datasetId } = await create();
    expect(sim.datasets.has(datasetId)).toBe(true);
  });

  it('treats a 200 {"status":"error"} as a refusal with its message', async () => {
    sim.inject({ method: 'POST', status: 200, body: { status: 'error', message: 'bucket not registered' } });
    await expect(create()).rejects.toThrowError(VisualLayerBadRequestError);
    sim.inject({ method: 'POST', status: 200, body: { status: 'error', message: 'bucket not registered' } });
    await expect(create()).rejects.toThrowError(/bucket not registered/);
  });

  it('rejects a 200 without an id and a body that is not JSON', async () => {
    sim.inject({ method: 'POST', status: 200, body: { ok: true } });
    await expect(create()).rejects.toThrowError(VisualLayerResponseError);
    sim.inject({ method: 'POST', status: 200, rawBody: '<html>gateway</html>' });
    await expect(create()).rejects.toThrowError(/not JSON/);
  });

  it('rejects a dataset id too long to be one, without copying it into the message', async () => {
    sim.inject({ method: 'POST', status: 200, body: { dataset_id: 'i'.repeat(100_000) } });
    const error = await create().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisualLayerResponseError);
    expect((error as Error).message.length).toBeLessThan(500);
  });

  it('reports a 422 detail array by field', async () => {
    sim.inject({
      method: 'POST',
      status: 422,
      body: {
        detail: [{ type: 'missing', loc: ['body', 'bucket_path'], msg: 'Field required', input: null }],
      },
    });
    await expect(create()).rejects.toThrowError(/bucket_path: Field required/);
  });

  it('after a 401 reads the secret again and succeeds with the rotated value', async () => {
    const rotated = { apiKey: 'k-2', apiSecret: 'secret-two-0123456789' };
    sim.auth = { mode: 'jwt', ...rotated };
    const stale = secretValue;
    let reads = 0;
    const auth = new BearerAuth(async ({ fresh }) => {
      reads += 1;
      return fresh ? JSON.stringify(rotated) : stale;
    }, 'vl/creds');
    const rotating = new VisualLayerClient({ baseUrl: sim.url, auth, timeoutMs: 300 });
    await expect(rotating.createDataset({ name: 'r', bucketPath: 's3://drops/r/' })).resolves.toHaveProperty(
      'datasetId',
    );
    expect(reads).toBe(2);
  });

  it('fails with an auth error when the re-read secret is refused too', async () => {
    sim.auth = { mode: 'jwt', apiKey: 'k-1', apiSecret: 'another-secret-xxxxxxxx' };
    await expect(create()).rejects.toThrowError(VisualLayerAuthError);
    expect(secretReads).toEqual([false, true]);
  });

  it('sends a ready-made token as is', async () => {
    sim.auth = { mode: 'static', token: 'aaa.bbb.ccc' };
    secretValue = JSON.stringify({ jwt: 'aaa.bbb.ccc' });
    await expect(create()).resolves.toHaveProperty('datasetId');
  });

  it('turns a timeout into an ambiguous transient error', async () => {
    sim.inject({ method: 'POST', delayMs: 1000 });
    const error = await create().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VisualLayerTransientError);
    expect((error as VisualLayerTransientError).ambiguous).toBe(true);
    expect((error as Error).message).toMatch(/no answer within/);
  });

  it('turns a dropped connection into a transient error', async () => {
    sim.inject({ method: 'POST', drop: 'before' });
    await expect(create()).rejects.toThrowError(VisualLayerTransientError);
  });

  it('leaves every Retry-After, however short, to the state machine: one call, the wait on the error', async () => {
    sim.inject({
      method: 'POST',
      status: 429,
      headers: { 'retry-after': '1' },
      body: { detail: 'slow down' },
    });
    const before = sim.createCalls().length;
    const error = (await create().catch((e: unknown) => e)) as VisualLayerTransientError;
    expect(error).toBeInstanceOf(VisualLayerTransientError);
    expect(error.retryAfterSeconds).toBe(1);
    expect(
      sim
        .createCalls()
        .slice(before)
        .map((c) => c.status),
    ).toEqual([429]);
  });

  it('leaves a long Retry-After to the state machine, keeping it on the error', async () => {
    sim.inject({
      method: 'POST',
      status: 429,
      headers: { 'retry-after': '30' },
      body: { detail: 'slow down' },
    });
    const error = (await create().catch((e: unknown) => e)) as VisualLayerTransientError;
    expect(error).toBeInstanceOf(VisualLayerTransientError);
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).toMatch(/429.*slow down/);
  });
});

describe('VisualLayerClient.getDatasetStatus', () => {
  it('follows the lifecycle DRAFT → INDEXING → READY', async () => {
    const { datasetId } = await create();
    const seen: string[] = [];
    for (let i = 0; i < 4; i += 1) seen.push((await client.getDatasetStatus(datasetId)).vlStatus);
    expect(seen).toEqual(['DRAFT', 'INDEXING', 'INDEXING', 'READY']);
  });

  it('reads the legacy vocabulary', async () => {
    sim.lifecycle = { vocabulary: 'legacy', outcome: 'ERROR', draftReads: 0, indexingReads: 0 };
    const { datasetId } = await create();
    expect(await client.getDatasetStatus(datasetId)).toMatchObject({
      vlStatus: 'FATAL_ERROR',
      outcome: 'ERROR',
    });
  });
});

describe('VisualLayerClient exchanges', () => {
  it('tells the injected observer of every request: which call, the answer status and how long it took', async () => {
    const seen: VisualLayerExchange[] = [];
    const auth = new BearerAuth(async () => secretValue, 'vl/creds');
    const observed = new VisualLayerClient({
      baseUrl: sim.url,
      auth,
      timeoutMs: 300,
      onExchange: (exchange) => seen.push(exchange),
    });
    const { datasetId } = await observed.createDataset({ name: 'seen', bucketPath: 's3://drops/seen/' });
    await observed.getDatasetStatus(datasetId);
    await observed.listDatasets();
    sim.inject({ method: 'GET', status: 503, body: { detail: 'busy' } });
    await observed.getDatasetStatus(datasetId).catch(() => undefined);
    sim.inject({ method: 'GET', delayMs: 1000 });
    await observed.getDatasetStatus(datasetId).catch(() => undefined);
    sim.auth = { mode: 'jwt', apiKey: 'k-1', apiSecret: 'another-secret-xxxxxxxx' };
    await observed.createDataset({ name: 'refused', bucketPath: 's3://drops/r/' }).catch(() => undefined);

    expect(seen.map(({ operation, status }) => [operation, status])).toEqual([
      ['create', 200],
      ['status', 200],
      ['list', 200],
      ['status', 503],
      ['status', undefined],
      ['create', 401],
      ['create', 401],
    ]);
    for (const exchange of seen) expect(exchange.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen[4]?.durationMs).toBeGreaterThanOrEqual(250);
  });

  it('keeps a request going when the observer throws', async () => {
    const auth = new BearerAuth(async () => secretValue, 'vl/creds');
    const observed = new VisualLayerClient({
      baseUrl: sim.url,
      auth,
      timeoutMs: 300,
      onExchange: () => {
        throw new Error('metrics are broken');
      },
    });
    await expect(observed.createDataset({ name: 'x', bucketPath: 's3://drops/x/' })).resolves.toHaveProperty(
      'datasetId',
    );
  });
});

describe('createDatasetOnce', () => {
  it('adopts the dataset an earlier attempt created instead of posting again', async () => {
    const notBefore = new Date();
    sim.inject({ method: 'POST', drop: 'after' });
    const first = await createDatasetOnce(client, {
      folderUri: 's3://drops/once/',
      datasetName: 'once',
      notBefore,
    }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(VisualLayerTransientError);
    const posts = sim.createCalls().length;
    const second = await createDatasetOnce(client, {
      folderUri: 's3://drops/once/',
      datasetName: 'once',
      notBefore,
    });
    expect(second.adopted).toBe(true);
    expect(sim.createCalls().length).toBe(posts);
    expect([...sim.datasets.values()].filter((d) => d.displayName === 'once')).toHaveLength(1);
  });

  it('does not adopt a dataset of the same name that ended in ERROR', async () => {
    sim.lifecycle = { outcome: 'ERROR', draftReads: 0, indexingReads: 0 };
    const notBefore = new Date();
    const failed = await createDatasetOnce(client, {
      folderUri: 's3://drops/e/',
      datasetName: 'again',
      notBefore,
    });
    await client.getDatasetStatus(failed.datasetId);
    sim.lifecycle = {};
    const retry = await createDatasetOnce(client, {
      folderUri: 's3://drops/e/',
      datasetName: 'again',
      notBefore,
    });
    expect(retry.adopted).toBe(false);
    expect(retry.datasetId).not.toBe(failed.datasetId);
  });
});
