import { describe, expect, it } from 'vitest';
import { METRIC_NAMES } from '../../lambdas/shared/metric-names';
import { STATE_PAYLOAD_LIMIT_BYTES } from '../../local/aws/executions';
import { LOCAL_CREDENTIALS, type LocalPipeline } from '../../local/pipeline';
import type { SimulatorLifecycle } from '../../local/simulator/visual-layer-simulator';
import { objectCreated } from '../support/events';
import { metricTotal } from '../support/metrics';
import { usePipelines } from '../support/pipeline';
import { errorOf } from '../support/records';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({
  quietSeconds: '1',
  pollIntervalSeconds: '1',
  maxPollIntervalSeconds: '2',
  maxWaitMinutes: '10',
});
const BUCKET = 'acme-vision-drops';
const startPipeline = usePipelines(app, { waitMs: 20 });
const MAX_MESSAGE_BYTES = 4096;

function start(lifecycle: SimulatorLifecycle = {}): Promise<LocalPipeline> {
  return startPipeline({ simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle } });
}

/** Polls the folder's record until it matches, or fails after 15 s. */
async function recordWhen(
  p: LocalPipeline,
  folderUri: string,
  test: (record: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const until = Date.now() + 15_000;
  for (;;) {
    const record = await p.record(folderUri);
    if (record && test(record)) return record;
    if (Date.now() > until)
      throw new Error(`record of ${folderUri} never matched: ${JSON.stringify(record)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Drops one object into a folder (quiet trigger) and waits until its dataset is indexing. */
async function indexing(p: LocalPipeline, folder: string, attempts = 1): Promise<Record<string, unknown>> {
  p.deliver(objectCreated(BUCKET, `${folder}/frame.jpg`));
  return recordWhen(
    p,
    `s3://${BUCKET}/${folder}/`,
    (r) => r.status === 'INDEXING' && r.attempts === attempts,
  );
}

const bytes = (text: string) => Buffer.byteLength(text);

describe('reconciler: every execution ends with a true record', () => {
  it('a Visual Layer status answer too large for the state still ends the folder, with a bounded message', async () => {
    const p = await start({ outcome: 'ERROR', fatalErrorMsg: 'x'.repeat(300_000) });
    await p.run(objectCreated(BUCKET, 'huge/frame.jpg'));
    await p.settled();
    const record = await p.record(`s3://${BUCKET}/huge/`);
    expect(['ERROR', 'FAILED']).toContain(record?.status);
    expect(bytes(errorOf(record).message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('a task result over 256 KB fails the execution past every Catch → FAILED/EXECUTION_FAILED naming the error', async () => {
    const p = await start();
    const check = p.fn('CheckStatus');
    check.invoke = async () => ({
      StatusCode: 200,
      Payload: { outcome: 'IN_PROGRESS', message: 'y'.repeat(STATE_PAYLOAD_LIMIT_BYTES) },
    });
    const execution = await p.run(objectCreated(BUCKET, 'oversized/frame.jpg'));
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    await p.settled();
    const record = await p.record(`s3://${BUCKET}/oversized/`);
    expect(record).toMatchObject({
      status: 'FAILED',
      error: { code: 'EXECUTION_FAILED' },
      executionArn: execution.executionArn,
      finishedAt: expect.any(String),
    });
    expect(metricTotal(p, METRIC_NAMES.recordsReconciled)).toBe(1);
    expect(errorOf(record).message).toMatch(
      /States\.DataLimitExceeded: The state\/task 'CheckStatus' returned a result/,
    );
    expect(bytes(errorOf(record).message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('an execution stopped with StopExecution → FAILED/EXECUTION_ABORTED, and a new drop ingests the folder again', async () => {
    const p = await start({ outcome: 'NEVER' });
    const folderUri = `s3://${BUCKET}/stopped/`;
    const running = await indexing(p, 'stopped');
    await p.stopExecution(String(running.executionArn), 'Operator', 'stopped by hand');
    await p.functionsIdle();
    const stopped = await p.record(folderUri);
    expect(stopped).toMatchObject({
      status: 'FAILED',
      error: { code: 'EXECUTION_ABORTED' },
      executionArn: running.executionArn,
      finishedAt: expect.any(String),
    });
    expect(errorOf(stopped).message).toMatch(
      /was stopped before recording the folder's outcome: Operator: stopped by hand/,
    );

    // The stopped attempt's dataset goes on indexing in Visual Layer; the next attempt adopts it.
    for (const dataset of p.simulator.datasets.values()) dataset.lifecycle.outcome = 'READY';
    p.deliver(objectCreated(BUCKET, 'stopped/frame 2.jpg'));
    await p.settled();
    expect(await p.record(folderUri)).toMatchObject({
      status: 'READY',
      attempts: 2,
      lastStatus: 'FAILED',
      lastError: { code: 'EXECUTION_ABORTED' },
    });
  });

  it('the sweep alone finishes a record whose execution ended while its event was lost', async () => {
    const p = await start({ outcome: 'NEVER' });
    const folderUri = `s3://${BUCKET}/missed/`;
    const running = await indexing(p, 'missed');
    const reconcile = p.fn('Reconcile');
    const deliverEvent = reconcile.invoke.bind(reconcile);
    reconcile.invoke = async () => {
      throw new Error('event lost on its way');
    };
    await p.stopExecution(String(running.executionArn));
    await p.functionsIdle();
    expect(await p.record(folderUri)).toMatchObject({ status: 'INDEXING' });

    reconcile.invoke = deliverEvent;
    await p.runScheduledRules();
    expect(await p.record(folderUri)).toMatchObject({
      status: 'FAILED',
      error: { code: 'EXECUTION_ABORTED' },
      executionArn: running.executionArn,
    });
  });

  it('leaves alone a record that moved on to a newer attempt, and one whose execution still runs', async () => {
    const p = await start({ outcome: 'NEVER' });
    const folderUri = `s3://${BUCKET}/moved/`;
    const first = await indexing(p, 'moved');
    await p.stopExecution(String(first.executionArn));
    await p.functionsIdle();
    const firstEnd = p.statusChanges.find(
      (e) =>
        (e.detail as { executionArn?: string; status?: string }).executionArn === first.executionArn &&
        (e.detail as { status?: string }).status === 'ABORTED',
    );
    expect(firstEnd).toBeDefined();

    const second = await indexing(p, 'moved', 2);
    expect(second.executionArn).not.toBe(first.executionArn);
    // A late, repeated delivery of the first attempt's end, and a sweep while the second runs.
    expect(p.deliver(structuredClone(firstEnd))).toBe(true);
    await p.functionsIdle();
    await p.runScheduledRules();
    expect(await p.record(folderUri)).toMatchObject({
      status: 'INDEXING',
      attempts: 2,
      executionArn: second.executionArn,
    });
    expect(p.fn('Reconcile').invocations).toBeGreaterThanOrEqual(3);

    await p.stopExecution(String(second.executionArn));
    await p.functionsIdle();
    expect(await p.record(folderUri)).toMatchObject({
      status: 'FAILED',
      attempts: 2,
      error: { code: 'EXECUTION_ABORTED' },
      executionArn: second.executionArn,
    });
  });

  it('never rewrites a failure the execution recorded itself', async () => {
    const p = await start();
    p.simulator.inject({
      method: 'POST',
      path: '/api/v1/dataset',
      status: 400,
      body: { detail: 'Invalid bucket path' },
    });
    const execution = await p.run(objectCreated(BUCKET, 'refused/frame.jpg'));
    expect(execution.status).toBe('FAILED');
    await p.settled();
    expect(p.fn('Reconcile').invocations).toBe(1);
    expect(await p.record(`s3://${BUCKET}/refused/`)).toMatchObject({
      status: 'FAILED',
      error: { code: 'BAD_REQUEST' },
    });
  });
});
