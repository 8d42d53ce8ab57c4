import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../lambdas/shared/metric-names';
import {
  LOCAL_CREDENTIALS,
  type LocalExecution,
  type LocalPipeline,
  type LocalPipelineOptions,
} from '../../local/pipeline';
import type { SimulatorLifecycle } from '../../local/simulator/visual-layer-simulator';
import { objectCreated } from '../support/events';
import { findLeaks, observe } from '../support/leaks';
import { metricTotal } from '../support/metrics';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

// Short limits so deadlines can be reached: 1.2 s of indexing, checks every 1-2 s (waits shortened).
const app = useSynthesizedApp({
  maxWaitMinutes: '0.02',
  pollIntervalSeconds: '1',
  maxPollIntervalSeconds: '2',
});
const FOLDER = 's3://acme-vision-drops/faults/';
const startPipeline = usePipelines(app, {
  waitMs: 20,
  functionEnvironment: { VL_REQUEST_TIMEOUT_MS: '400' },
});

function start(
  lifecycle: SimulatorLifecycle = {},
  options: Omit<LocalPipelineOptions, 'app' | 'simulator'> = {},
): Promise<LocalPipeline> {
  return startPipeline({ simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle }, ...options });
}

/** Runs one object event of the folder to the end: the execution must end, never hang. */
async function ingest(
  p: LocalPipeline,
): Promise<{ execution: LocalExecution; record: Record<string, unknown> | undefined }> {
  const execution = await p.run(objectCreated('acme-vision-drops', 'faults/frame.jpg'));
  expect(['SUCCEEDED', 'FAILED']).toContain(execution.status);
  return { execution, record: await p.record(FOLDER) };
}

const CREATE = { method: 'POST', path: '/api/v1/dataset' } as const;

/** The seconds each `WaitBeforeCreate` state of an execution was given to wait. */
function waitsBeforeCreate(execution: LocalExecution): number[] {
  return execution.events.flatMap((e) =>
    e.type === 'StateEntered' && e.state.name === 'WaitBeforeCreate'
      ? [Number((e.state.input as { created: { value: { waitSeconds: number } } }).created.value.waitSeconds)]
      : [],
  );
}
const STATUS = { method: 'GET', path: /^\/api\/v1\/dataset\// } as const;

describe('fault injection: create', () => {
  it('500, 500, then OK → READY with one dataset', async () => {
    const p = await start();
    p.simulator.inject({ ...CREATE, status: 500, times: 2 });
    const { execution, record } = await ingest(p);
    expect(execution.status).toBe('SUCCEEDED');
    expect(record).toMatchObject({ status: 'READY' });
    expect(p.simulator.createCalls().map((c) => c.status)).toEqual([500, 500, 200]);
    expect(p.simulator.datasets.size).toBe(1);
  });

  it('429 with Retry-After on create → a Wait state waits as asked, then creates once', async () => {
    const p = await start();
    p.simulator.inject({
      ...CREATE,
      status: 429,
      headers: { 'retry-after': '1' },
      body: { detail: 'Too many requests' },
    });
    const { execution, record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    expect(p.simulator.createCalls().map((c) => c.status)).toEqual([429, 200]);
    expect(waitsBeforeCreate(execution)).toEqual([expect.any(Number)]);
    expect(waitsBeforeCreate(execution)[0]).toBeGreaterThanOrEqual(1);
    expect(p.simulator.datasets.size).toBe(1);
  });

  it('503 without Retry-After on create → backs off in a Wait state, then creates once', async () => {
    const p = await start();
    p.simulator.inject({ ...CREATE, status: 503, body: { detail: 'Service Unavailable' } });
    const { execution, record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    expect(p.simulator.createCalls().map((c) => c.status)).toEqual([503, 200]);
    expect(waitsBeforeCreate(execution)).toHaveLength(1);
    expect(p.simulator.datasets.size).toBe(1);
  });

  it('429 on every create → waits until the deadline, then TIMED_OUT with no dataset, never UNREACHABLE', async () => {
    const p = await start();
    p.simulator.inject({
      ...CREATE,
      status: 429,
      body: { detail: 'Too many datasets in progress' },
      times: 1000,
    });
    const { execution, record } = await ingest(p);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'TIMED_OUT' });
    expect(record).toMatchObject({ status: 'TIMED_OUT', error: { code: 'TIMED_OUT' } });
    expect(record?.datasetId).toBeUndefined();
    expect(errorOf(record).message).toMatch(/429.*Too many datasets in progress.*maxWaitMinutes=0.02/);
    expect(p.simulator.createCalls().length).toBeGreaterThan(5);
    expect(waitsBeforeCreate(execution).length).toBe(p.simulator.createCalls().length - 1);
    expect(p.published.map((e) => e.detail)).toEqual([
      expect.objectContaining({
        status: 'TIMED_OUT',
        error: { code: 'TIMED_OUT', message: errorOf(record).message },
      }),
    ]);
  });

  it('connection dropped after the dataset was created → adopts it: exactly one dataset', async () => {
    const p = await start();
    p.simulator.inject({ ...CREATE, drop: 'after' });
    const { record } = await ingest(p);
    const [dataset] = [...p.simulator.datasets.values()];
    expect(p.simulator.datasets.size).toBe(1);
    expect(p.simulator.createCalls()).toHaveLength(1);
    expect(record).toMatchObject({ status: 'READY', datasetId: dataset?.id });
  });

  it('create hangs past the client timeout → retried, one dataset', async () => {
    const p = await start();
    p.simulator.inject({ ...CREATE, delayMs: 1500 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    expect(p.simulator.datasets.size).toBe(1);
    expect(p.simulator.createCalls().length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['400', 400, { detail: 'Invalid bucket path' }, 'BAD_REQUEST', /Invalid bucket path/],
    [
      '422 with an array detail',
      422,
      { detail: [{ type: 'missing', loc: ['body', 'bucket_path'], msg: 'Field required', input: null }] },
      'BAD_REQUEST',
      /bucket_path: Field required/,
    ],
    ['403', 403, { detail: 'Dataset limit reached for plan' }, 'FORBIDDEN', /Dataset limit reached/],
  ])(
    "%s → FAILED without retrying, with Visual Layer's words",
    async (_name, status, body, code, message) => {
      const p = await start();
      p.simulator.inject({ ...CREATE, status, body });
      const { execution, record } = await ingest(p);
      expect(execution).toMatchObject({ status: 'FAILED', error: code });
      expect(record).toMatchObject({ status: 'FAILED', error: { code } });
      expect(errorOf(record).message).toMatch(message);
      expect(p.simulator.createCalls()).toHaveLength(1);
      expect(p.published.map((e) => e.detail)).toEqual([
        expect.objectContaining({ status: 'FAILED', error: { code, message: errorOf(record).message } }),
      ]);
    },
  );

  it('401 with key and secret → re-reads the secret, tries once more, then FAILED/AUTH', async () => {
    const p = await start();
    p.simulator.auth = { mode: 'jwt', apiKey: LOCAL_CREDENTIALS.apiKey, apiSecret: 'rotated-elsewhere-0000' };
    const readsBefore = p.secrets.reads;
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'AUTH' } });
    expect(errorOf(record).message).toMatch(/authentication failed/);
    expect(p.secrets.reads - readsBefore).toBeGreaterThanOrEqual(1);
    expect(p.simulator.calls.filter((c) => c.status === 401).length).toBe(2);
    expect(p.simulator.createCalls()).toHaveLength(0);
    expect(p.simulator.datasets.size).toBe(0);
  });

  it.each([
    ['malformed JSON', { status: 200, rawBody: '<html>502 Bad Gateway</html>' }, /not JSON/],
    ['a 200 without an id', { status: 200, body: { message: 'ok' } }, /without a dataset id/],
  ])('%s → FAILED/BAD_RESPONSE after one call', async (_name, fault, message) => {
    const p = await start();
    p.simulator.inject({ ...CREATE, ...fault });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'BAD_RESPONSE' } });
    expect(errorOf(record).message).toMatch(message);
    expect(p.simulator.createCalls()).toHaveLength(1);
  });
});

describe('fault injection: polling', () => {
  it('status checks failing with 500 for a while, then READY', async () => {
    const p = await start({ draftReads: 0, indexingReads: 1 });
    p.simulator.inject({ ...STATUS, status: 500, times: 4 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    expect(Number(record?.polls)).toBeGreaterThanOrEqual(6);
    expect(p.simulator.createCalls()).toHaveLength(1);
  });

  it('status checks failing without end → FAILED/UNREACHABLE after a bounded number', async () => {
    const p = await start();
    p.simulator.inject({ ...STATUS, status: 500, times: 1000 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'UNREACHABLE' } });
    expect(metricTotal(p, METRIC_NAMES.statusChecksFailed)).toBe(10);
    expect(metricTotal(p, METRIC_NAMES.visualLayer5xx)).toBe(10);
    expect(p.simulator.calls.filter((c) => c.method === 'GET' && c.status === 500)).toHaveLength(10);
  });

  it('a 429 on a status check → waited as asked, not a failed check, READY', async () => {
    const p = await start();
    p.simulator.inject({
      ...STATUS,
      status: 429,
      headers: { 'retry-after': '1' },
      body: { detail: 'slow down' },
    });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    expect(p.functionLogs.filter((l) => l.includes('status check failed'))).toHaveLength(0);
  });

  it('503 on every status check → waits, never a failed check: TIMED_OUT at the deadline, not UNREACHABLE', async () => {
    const p = await start();
    p.simulator.inject({ ...STATUS, status: 503, body: { detail: 'Service Unavailable' }, times: 1000 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'TIMED_OUT', error: { code: 'TIMED_OUT' } });
    expect(errorOf(record).message).toMatch(/503.*maxWaitMinutes=0.02/);
    expect(p.simulator.calls.filter((c) => c.method === 'GET' && c.status === 503).length).toBeGreaterThan(
      10,
    );
  });

  it('404 while polling → FAILED/NOT_FOUND', async () => {
    const p = await start();
    p.simulator.inject({ ...STATUS, status: 404, body: { detail: 'Dataset not found' } });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'NOT_FOUND' } });
    expect(p.simulator.createCalls()).toHaveLength(1);
  });

  it('ERROR with fatal_error_msg → ERROR/VL_ERROR carrying the message', async () => {
    const p = await start({
      outcome: 'ERROR',
      fatalErrorMsg: 'AccessDenied: s3:ListBucket on acme-vision-drops',
    });
    const { execution, record } = await ingest(p);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'VL_ERROR' });
    expect([METRIC_NAMES.datasetsError, METRIC_NAMES.datasetsReady].map((m) => metricTotal(p, m))).toEqual([
      1, 0,
    ]);
    expect(record).toMatchObject({
      status: 'ERROR',
      error: { code: 'VL_ERROR', message: 'AccessDenied: s3:ListBucket on acme-vision-drops' },
    });
    expect(p.published.map((e) => e.detail)).toEqual([
      expect.objectContaining({ status: 'ERROR', datasetId: record?.datasetId, error: record?.error }),
    ]);
  });

  it('never terminal → TIMED_OUT after maxWaitMinutes', async () => {
    const p = await start({ outcome: 'NEVER' }, { waitMs: 60 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'TIMED_OUT', vlStatus: 'INDEXING', error: { code: 'TIMED_OUT' } });
    expect(metricTotal(p, METRIC_NAMES.datasetsTimedOut)).toBe(1);
    expect(errorOf(record).message).toMatch(/still INDEXING.*maxWaitMinutes=0.02/);
  });

  it('an unknown status value → treated as in progress and logged once', async () => {
    const p = await start({ inProgressWord: 'RE-CLUSTERING', draftReads: 0, indexingReads: 3 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    const warnings = p.functionLogs.filter((l) => l.includes('unknown Visual Layer status'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('RE_CLUSTERING');
  });

  it('a function crash → retried once, then FAILED/INTERNAL instead of hanging', async () => {
    const p = await start();
    let crashes = 0;
    p.fn('CheckStatus').invoke = async () => {
      crashes += 1;
      throw Object.assign(new Error('Runtime exited with error: signal: killed'), { name: 'Lambda.Unknown' });
    };
    const { execution, record } = await ingest(p);
    expect(crashes).toBe(2);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'INTERNAL' });
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'INTERNAL' } });
    expect(errorOf(record).message).toMatch(/Check step failed with Lambda.Unknown/);
  });
});

describe('fault injection: unusable status answers', () => {
  it.each([
    ['an HTML page', { status: 200, rawBody: '<html>502 Bad Gateway</html>' }],
    ['an empty body', { status: 200, rawBody: '' }],
    ['{}', { status: 200, body: {} }],
  ])('one status answer that is %s → counted as a failed check, still READY', async (_name, fault) => {
    const p = await start();
    p.simulator.inject({ ...STATUS, ...fault });
    const { record } = await ingest(p);
    const [dataset] = [...p.simulator.datasets.values()];
    expect(record).toMatchObject({ status: 'READY', datasetId: dataset?.id });
    expect(p.functionLogs.filter((l) => l.includes('status check failed'))).toHaveLength(1);
  });

  it('status answers that stay unusable → FAILED after 10 failed checks, saying why, datasetId kept', async () => {
    const p = await start();
    p.simulator.inject({ ...STATUS, status: 200, rawBody: '<html>maintenance</html>', times: 1000 });
    const { record } = await ingest(p);
    const [dataset] = [...p.simulator.datasets.values()];
    expect(record).toMatchObject({
      status: 'FAILED',
      error: { code: 'UNREACHABLE' },
      datasetId: dataset?.id,
    });
    expect(errorOf(record).message).toMatch(/not JSON/);
    expect(p.simulator.calls.filter((c) => c.method === 'GET' && STATUS.path.test(c.path))).toHaveLength(10);
  });
});

describe('fault injection: refused credentials while polling', () => {
  it('a 401 on one status check after create → secret read again, still READY, datasetId kept', async () => {
    const p = await start();
    // The client answers a 401 by reading the secret again and trying once more: both refused.
    p.simulator.inject({ ...STATUS, status: 401, body: { detail: 'Token expired' }, times: 2 });
    const { record } = await ingest(p);
    const [dataset] = [...p.simulator.datasets.values()];
    expect(record).toMatchObject({ status: 'READY', datasetId: dataset?.id });
    expect(p.simulator.calls.filter((c) => c.status === 401)).toHaveLength(2);
  });

  it('401 on every status check → FAILED after 10 failed checks, saying credentials were refused, datasetId kept', async () => {
    const p = await start();
    p.simulator.inject({ ...STATUS, status: 401, body: { detail: 'Token expired' }, times: 1000 });
    const { record } = await ingest(p);
    const [dataset] = [...p.simulator.datasets.values()];
    expect(record).toMatchObject({ status: 'FAILED', datasetId: dataset?.id });
    expect(errorOf(record).message).toMatch(/refused the credentials \(401\)/);
    expect(p.simulator.calls.filter((c) => c.status === 401)).toHaveLength(20);
  });
});

describe('fault injection: reading the secret', () => {
  it("Secrets Manager throttling the create step's read → retried, READY", async () => {
    // The deadline counts from the attempt's start, so the SDK's backoff uses up this file's 1.2 s:
    // READY at the first status read, which ends the loop whatever the clock says.
    const p = await start({ draftReads: 0, indexingReads: 0 });
    // Three throttled answers: every attempt the SDK makes in the first invocation.
    p.secrets.failReads({ type: 'ThrottlingException', message: 'Rate exceeded', times: 3 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    expect(p.simulator.datasets.size).toBe(1);
  });

  it('Secrets Manager throttling a status check → counted as a failed check, READY', async () => {
    // READY at the first status read: the SDK's own backoff on throttling takes longer than the
    // 1.2 s deadline of this file, and a READY answer ends the loop whatever the clock says.
    const p = await start({ draftReads: 0, indexingReads: 0 });
    const check = p.fn('CheckStatus');
    const invoke = check.invoke.bind(check);
    let throttled = false;
    check.invoke = async (payload) => {
      if (!throttled)
        p.secrets.failReads({ type: 'ThrottlingException', message: 'Rate exceeded', times: 3 });
      throttled = true;
      return invoke(payload);
    };
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'READY' });
    expect(p.functionLogs.filter((l) => l.includes('status check failed'))).toHaveLength(1);
  });

  it('Secrets Manager throttling without end → FAILED/AWS_UNAVAILABLE, never BAD_CREDENTIALS', async () => {
    const p = await start(
      {},
      { functionEnvironment: { VL_REQUEST_TIMEOUT_MS: '400', AWS_MAX_ATTEMPTS: '1' } },
    );
    p.secrets.failReads({ type: 'ThrottlingException', message: 'Rate exceeded', times: 1000 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'AWS_UNAVAILABLE' } });
    expect(errorOf(record).message).toMatch(/ThrottlingException/);
    expect(p.simulator.createCalls()).toHaveLength(0);
  });

  it.each([
    ['ResourceNotFoundException', /does not exist/],
    ['AccessDeniedException', /may not read/],
    ['DecryptionFailure', /KMS key/],
  ])('%s → FAILED/BAD_CREDENTIALS saying which', async (type, message) => {
    const p = await start();
    p.secrets.failReads({ type, times: 1000 });
    const { record } = await ingest(p);
    expect(record).toMatchObject({ status: 'FAILED', error: { code: 'BAD_CREDENTIALS' } });
    expect(errorOf(record).message).toMatch(message);
    expect(errorOf(record).message).not.toMatch(/placeholder/);
  });
});

describe('fault injection: what Visual Layer says is bounded and redacted', () => {
  it.each([300, 450])(
    'a %i KB fatal_error_msg → ERROR record and event with a bounded message',
    async (kilobytes) => {
      const fatalErrorMsg = `AccessDenied: ${'x'.repeat(kilobytes * 1024)}`;
      const p = await start({ outcome: 'ERROR', fatalErrorMsg });
      const { record } = await ingest(p);
      expect(record).toMatchObject({ status: 'ERROR', error: { code: 'VL_ERROR' } });
      const { message } = errorOf(record);
      expect(message).toMatch(/^AccessDenied: xxxx/);
      expect(message).toMatch(/cut/);
      expect(message.length).toBeLessThanOrEqual(4096);
      expect(JSON.stringify(p.published).length).toBeLessThan(10_000);
    },
  );

  it('error bodies echoing the Authorization header or the API secret → neither in record, event, history or logs', async () => {
    const p = await start();
    const jwt = 'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsifQ.eyJzdWIiOiJrIiwiaXNzIjoic2RrIn0.c2lnbmF0dXJlLWJ5dGVz';
    const said = `echo: Authorization: Bearer ${jwt}; api_secret=${LOCAL_CREDENTIALS.apiSecret}`;
    const bare = `signed with ${LOCAL_CREDENTIALS.apiSecret}, token ${jwt}`;
    p.simulator.inject({ ...CREATE, status: 500, body: { detail: said } });
    p.simulator.inject({ ...STATUS, status: 502, rawBody: `Bad gateway. ${bare}` });
    const runs = [await p.run(objectCreated('acme-vision-drops', 'echo/a.jpg'))];
    p.simulator.inject({ ...CREATE, status: 400, body: { detail: said } });
    p.simulator.inject({ ...CREATE, status: 401, body: { message: bare }, times: 2 });
    runs.push(await p.run(objectCreated('acme-vision-drops', 'echo2/a.jpg')));
    runs.push(await p.run(objectCreated('acme-vision-drops', 'echo3/a.jpg')));

    const records = await p.records();
    expect(records.map((r) => r.status).sort()).toEqual(['FAILED', 'FAILED', 'READY']);
    const messages = records.map((r) => errorOf(r).message).join('\n');
    expect(messages).toMatch(/echo: Authorization: Bearer \[redacted\]/);
    const seen = await observe(p, runs);
    expect(seen.join('\n')).toMatch(/Bad gateway/);
    expect(findLeaks(seen, [jwt, LOCAL_CREDENTIALS.apiSecret])).toEqual([]);
  });
});
