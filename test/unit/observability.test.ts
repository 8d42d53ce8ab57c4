import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES, METRICS_NAMESPACE } from '../../lambdas/shared/metric-names';
import {
  countAppendBatch,
  countFailedCheck,
  countGate,
  countPollOutcome,
  countReconciled,
  instrumented,
  observeVisualLayer,
} from '../../lambdas/shared/observability';
import type { PollDecision } from '../../lambdas/shared/polling/poll';

const SERVICE = 'VlIngestTest';
const newMetrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });

/** The metrics a Metrics instance holds, by name: their values and unit. */
function stored(metrics: Metrics): Record<string, { values: number[]; unit: string }> {
  if (!metrics.hasStoredMetrics()) return {};
  const emf = metrics.serializeMetrics() as unknown as Record<string, unknown> & {
    _aws: { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] };
  };
  return Object.fromEntries(
    emf._aws.CloudWatchMetrics.flatMap((d) => d.Metrics).map(({ Name, Unit }) => [
      Name,
      { values: [emf[Name]].flat() as number[], unit: Unit },
    ]),
  );
}

const SINCE = new Date('2026-11-28T14:00:00Z');
function decision(outcome: PollDecision['outcome'], message = ''): PollDecision {
  return {
    outcome,
    vlStatus: outcome === 'IN_PROGRESS' ? 'INDEXING' : outcome,
    progress: 0,
    nImages: 0,
    nVideos: 0,
    message,
    polls: 3,
    nextWaitSeconds: 30,
    failures: 0,
    checkedAt: '2026-11-28T14:12:30Z',
    track: {},
    basis: 'backoff',
    throttled: false,
  };
}

describe('metrics where each outcome is decided', () => {
  it('counts each end of polling by its outcome, with the indexing duration at READY', () => {
    const expected = {
      READY: { [METRIC_NAMES.datasetsReady]: [1], [METRIC_NAMES.indexingDuration]: [750] },
      ERROR: { [METRIC_NAMES.datasetsError]: [1] },
      TIMED_OUT: { [METRIC_NAMES.datasetsTimedOut]: [1] },
      IN_PROGRESS: {},
    };
    for (const [outcome, metrics] of Object.entries(expected)) {
      const m = newMetrics();
      countPollOutcome(m, decision(outcome as PollDecision['outcome']), SINCE);
      const values = Object.fromEntries(Object.entries(stored(m)).map(([k, v]) => [k, v.values]));
      expect(values, outcome).toEqual(metrics);
    }
    const ready = newMetrics();
    countPollOutcome(ready, decision('READY'), SINCE);
    expect(stored(ready)[METRIC_NAMES.indexingDuration]?.unit).toBe('Seconds');
  });

  it('counts a failed status check', () => {
    const m = newMetrics();
    countFailedCheck(m);
    expect(stored(m)).toEqual({ [METRIC_NAMES.statusChecksFailed]: { values: [1], unit: 'Count' } });
  });

  it('counts Visual Layer requests, their latency and errors by HTTP status class', () => {
    const m = newMetrics();
    const observe = observeVisualLayer(m);
    observe({ operation: 'create', status: 200, durationMs: 120 });
    observe({ operation: 'status', status: 401, durationMs: 30 });
    observe({ operation: 'status', status: 429, durationMs: 20 });
    observe({ operation: 'status', status: 503, durationMs: 40 });
    observe({ operation: 'list', durationMs: 20_000 });
    const metrics = stored(m);
    expect(metrics[METRIC_NAMES.visualLayerRequests]?.values).toEqual([1, 1, 1, 1, 1]);
    expect(metrics[METRIC_NAMES.visualLayerLatency]).toEqual({
      values: [120, 30, 20, 40],
      unit: 'Milliseconds',
    });
    expect(metrics[METRIC_NAMES.visualLayer4xx]?.values).toEqual([1, 1]);
    expect(metrics[METRIC_NAMES.visualLayer5xx]?.values).toEqual([1]);
    expect(metrics[METRIC_NAMES.visualLayerNoAnswer]?.values).toEqual([1]);
  });

  it('counts the records the reconciler finished, none included', () => {
    const m = newMetrics();
    countReconciled(m, 2);
    countReconciled(m, 0);
    expect(stored(m)[METRIC_NAMES.recordsReconciled]?.values).toEqual([2, 0]);
  });

  it('counts the gate as it stands after a step: in flight and waiting', () => {
    const m = newMetrics();
    countGate(m, { inFlight: 3, waiting: 7 });
    expect(stored(m)[METRIC_NAMES.datasetsInFlight]?.values).toEqual([3]);
    expect(stored(m)[METRIC_NAMES.foldersWaiting]?.values).toEqual([7]);
  });

  it('counts append batches that ended DONE (with their objects) or FAILED, and nothing for a batch that did not end', () => {
    const m = newMetrics();
    countAppendBatch(m, { status: 'DONE', added: 5 });
    countAppendBatch(m, { status: 'FAILED', added: 0 });
    countAppendBatch(m, { status: 'WAIT', added: 0 });
    countAppendBatch(m, { status: 'SUPERSEDED', added: 0 });
    const metrics = stored(m);
    expect(metrics[METRIC_NAMES.appendBatchesDone]?.values).toEqual([1]);
    expect(metrics[METRIC_NAMES.appendBatchesFailed]?.values).toEqual([1]);
    expect(metrics[METRIC_NAMES.objectsAppended]?.values).toEqual([5]);
  });

  it('puts every metric in one namespace with only the service dimension, and no text', () => {
    const m = newMetrics();
    const secret = 'api-secret-0123456789abcdef';
    countPollOutcome(m, decision('ERROR', `Visual Layer said Bearer ${secret}`), SINCE);
    observeVisualLayer(m)({ operation: 'create', status: 500, durationMs: 5 });
    const emf = m.serializeMetrics();
    expect(JSON.stringify(emf)).not.toContain(secret);
    expect(emf._aws.CloudWatchMetrics).toHaveLength(1);
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['service']],
    });
    expect(emf).toMatchObject({ service: SERVICE });
  });
});

describe('instrumented', () => {
  const written: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    written.length = 0;
  });
  const captureStdout = () =>
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });

  it('flushes an invocation’s metrics as one EMF line on stdout, also when it throws', async () => {
    const metrics = newMetrics();
    const handler = instrumented(
      { metrics, tracer: new Tracer({ enabled: false }) },
      'test',
      async (fail: boolean) => {
        countFailedCheck(metrics);
        if (fail) throw new Error('boom');
        return 'done';
      },
    );
    captureStdout();
    await expect(handler(false)).resolves.toBe('done');
    await expect(handler(true)).rejects.toThrow('boom');
    const lines = written.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(JSON.parse(line)).toMatchObject({ [METRIC_NAMES.statusChecksFailed]: 1, service: SERVICE });
    }
  });

  it('writes nothing at all for an invocation that counted nothing', async () => {
    const metrics = newMetrics();
    const handler = instrumented({ metrics, tracer: new Tracer({ enabled: false }) }, 'test', async () => 1);
    const stdout = captureStdout();
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await handler(undefined);
    expect(stdout).not.toHaveBeenCalled();
    expect(stderr).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });
});
