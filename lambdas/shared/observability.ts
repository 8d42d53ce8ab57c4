import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRIC_NAMES } from './metric-names';
import type { PollDecision } from './polling/poll';
import type { ExchangeObserver } from './visual-layer/exchange';

/**
 * What a function sees itself with: Powertools Metrics (EMF lines on stdout) and Tracer (X-Ray
 * subsegments, AWS SDK clients captured). Both are configured by the environment the stack gives
 * every function: `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME` (the stack's name).
 * Tracing is on only inside Lambda.
 */
export interface Observability {
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** A function's Metrics and Tracer, built once per container. */
export function createObservability(): Observability {
  // Only application metrics: a cold-start metric per function name would multiply the series.
  return { metrics: new Metrics(), tracer: new Tracer() };
}

/**
 * The handler as Lambda calls it: each invocation runs in its own `## <name>` subsegment (cold start
 * and service annotated, an error recorded by name and message, no response data), and the metrics it
 * counted are flushed as one EMF line when it ends, whether it returned or threw. An invocation that
 * counted nothing writes nothing.
 */
export function instrumented<E, R>(
  { metrics, tracer }: Observability,
  name: string,
  handler: (event: E) => Promise<R>,
): (event: E) => Promise<R> {
  return async (event) => {
    const parent = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${name}`);
    if (segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      return await handler(event);
    } catch (error) {
      if (segment && error instanceof Error) tracer.addErrorAsMetadata(error);
      throw error;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      if (segment && parent) {
        segment.close();
        tracer.setSegment(parent);
      }
    }
  };
}

const OUTCOME_METRICS = {
  READY: METRIC_NAMES.datasetsReady,
  ERROR: METRIC_NAMES.datasetsError,
  TIMED_OUT: METRIC_NAMES.datasetsTimedOut,
} as const;

/** check-status: an end of polling counts by its outcome; `READY` also records how long indexing took. */
export function countPollOutcome(metrics: Metrics, decision: PollDecision, since: Date): void {
  if (decision.outcome === 'IN_PROGRESS') return;
  metrics.addMetric(OUTCOME_METRICS[decision.outcome], MetricUnit.Count, 1);
  if (decision.outcome === 'READY') {
    const seconds = (Date.parse(decision.checkedAt) - since.getTime()) / 1000;
    metrics.addMetric(METRIC_NAMES.indexingDuration, MetricUnit.Seconds, Math.max(0, seconds));
  }
}

/** check-status: a status check that failed. */
export function countFailedCheck(metrics: Metrics): void {
  metrics.addMetric(METRIC_NAMES.statusChecksFailed, MetricUnit.Count, 1);
}

/** reconcile: how many records of ended executions one invocation finished (0 included). */
export function countReconciled(metrics: Metrics, finished: number): void {
  metrics.addMetric(METRIC_NAMES.recordsReconciled, MetricUnit.Count, finished);
}

/** gate: how many hold a slot and how many wait, after one of its steps. */
export function countGate(metrics: Metrics, gate: { inFlight: number; waiting: number }): void {
  metrics.addMetric(METRIC_NAMES.datasetsInFlight, MetricUnit.Count, gate.inFlight);
  metrics.addMetric(METRIC_NAMES.foldersWaiting, MetricUnit.Count, gate.waiting);
}

/** append-media: how a batch ended (DONE with the objects it added, or FAILED); other ends count nothing. */
export function countAppendBatch(metrics: Metrics, end: { status: string; added: number }): void {
  if (end.status === 'DONE') {
    metrics.addMetric(METRIC_NAMES.appendBatchesDone, MetricUnit.Count, 1);
    metrics.addMetric(METRIC_NAMES.objectsAppended, MetricUnit.Count, end.added);
  } else if (end.status === 'FAILED') {
    metrics.addMetric(METRIC_NAMES.appendBatchesFailed, MetricUnit.Count, 1);
  }
}

/** The Visual Layer client's observer: requests, latency of the answered ones, errors by status class. */
export function observeVisualLayer(metrics: Metrics): ExchangeObserver {
  return ({ status, durationMs }) => {
    metrics.addMetric(METRIC_NAMES.visualLayerRequests, MetricUnit.Count, 1);
    if (status === undefined) {
      metrics.addMetric(METRIC_NAMES.visualLayerNoAnswer, MetricUnit.Count, 1);
      return;
    }
    metrics.addMetric(METRIC_NAMES.visualLayerLatency, MetricUnit.Milliseconds, durationMs);
    if (status >= 500) metrics.addMetric(METRIC_NAMES.visualLayer5xx, MetricUnit.Count, 1);
    else if (status >= 400) metrics.addMetric(METRIC_NAMES.visualLayer4xx, MetricUnit.Count, 1);
  };
}
