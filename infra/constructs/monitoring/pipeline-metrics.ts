import { Duration } from 'aws-cdk-lib';
import { MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { type CustomMetricGroup, type MetricFactory, MetricStatistic } from 'cdk-monitoring-constructs';
import { METRIC_NAMES, METRICS_DIMENSION, METRICS_NAMESPACE } from '../../../lambdas/shared/metric-names';

/** The period of every metric of the dashboard and the alarms. */
export const METRIC_PERIOD = Duration.minutes(5);

const COLORS = {
  ready: '#2ca02c',
  error: '#d62728',
  timedOut: '#ff7f0e',
  failed: '#9467bd',
  reconciled: '#8c564b',
  neutral: '#1f77b4',
} as const;

/** What the stack has beyond the create path, and so what the dashboard draws. */
export interface PipelineFeatures {
  /** The gate on datasets in flight (`maxConcurrentDatasets` > 0). */
  readonly gate: boolean;
  /** Appends of late objects (`lateObjects=append`). */
  readonly appends: boolean;
}

/**
 * The dashboard's graphs of the pipeline's own metrics (the functions' EMF metrics, namespace
 * `VlIngest`, dimension `service` = the stack's name), one group per graph.
 *
 * A folder ends `FAILED` where no function decides it (a Catch rule of the state machine), so that
 * line is computed: the executions that failed, less those that failed because Visual Layer said
 * `ERROR` or the deadline passed (each of those fails its execution too).
 */
export function pipelineMetricGroups(
  factory: MetricFactory,
  service: string,
  stateMachine: IStateMachine,
  features: PipelineFeatures,
): CustomMetricGroup[] {
  const own = (name: string, statistic: MetricStatistic, label: string, color?: string) =>
    factory.createMetric(name, statistic, label, { [METRICS_DIMENSION]: service }, color, METRICS_NAMESPACE);
  const count = (name: string, label: string, color?: string) => own(name, MetricStatistic.SUM, label, color);

  const ready = count(METRIC_NAMES.datasetsReady, 'READY', COLORS.ready);
  const error = count(METRIC_NAMES.datasetsError, 'ERROR (Visual Layer)', COLORS.error);
  const timedOut = count(METRIC_NAMES.datasetsTimedOut, 'TIMED_OUT', COLORS.timedOut);
  const failed = new MathExpression({
    expression: 'executionsFailed - FILL(error, 0) - FILL(timedOut, 0)',
    usingMetrics: {
      executionsFailed: stateMachine.metricFailed({ period: METRIC_PERIOD }),
      error,
      timedOut,
    },
    label: 'FAILED (failed − ERROR − TIMED_OUT)',
    color: COLORS.failed,
    period: METRIC_PERIOD,
  });
  const reconciled = count(
    METRIC_NAMES.recordsReconciled,
    'FAILED by the reconciler (EXECUTION_…)',
    COLORS.reconciled,
  );
  const maximum = (name: string, label: string, color?: string) =>
    own(name, MetricStatistic.MAX, label, color);
  const gate: CustomMetricGroup[] = features.gate
    ? [
        {
          title: 'Datasets in flight and waiting (maxConcurrentDatasets)',
          metrics: [
            maximum(METRIC_NAMES.datasetsInFlight, 'in flight (holding a slot)', COLORS.neutral),
            maximum(METRIC_NAMES.foldersWaiting, 'waiting for a slot', COLORS.timedOut),
          ],
        },
      ]
    : [];
  const appends: CustomMetricGroup[] = features.appends
    ? [
        {
          title: 'Appends (late objects)',
          metrics: [
            count(METRIC_NAMES.appendBatchesDone, 'batches DONE', COLORS.ready),
            count(METRIC_NAMES.appendBatchesFailed, 'batches FAILED', COLORS.error),
            count(METRIC_NAMES.objectsAppended, 'objects appended', COLORS.neutral),
          ],
        },
      ]
    : [];
  return [
    { title: 'Folders by outcome', metrics: [ready, error, timedOut, failed, reconciled] },
    ...gate,
    ...appends,
    {
      title: 'Indexing duration at READY (seconds)',
      metrics: [
        own(METRIC_NAMES.indexingDuration, MetricStatistic.P50, 'p50'),
        own(METRIC_NAMES.indexingDuration, MetricStatistic.P95, 'p95', COLORS.timedOut),
      ],
    },
    {
      title: 'Visual Layer requests and errors by class',
      metrics: [
        count(METRIC_NAMES.visualLayerRequests, 'requests', COLORS.neutral),
        count(METRIC_NAMES.visualLayer4xx, '4xx', COLORS.timedOut),
        count(METRIC_NAMES.visualLayer5xx, '5xx', COLORS.error),
        count(METRIC_NAMES.visualLayerNoAnswer, 'no answer (timeout, connection)', COLORS.failed),
        count(METRIC_NAMES.statusChecksFailed, 'failed status checks', COLORS.reconciled),
      ],
    },
    {
      title: 'Visual Layer latency (ms)',
      metrics: [
        own(METRIC_NAMES.visualLayerLatency, MetricStatistic.P50, 'latency p50'),
        own(METRIC_NAMES.visualLayerLatency, MetricStatistic.P95, 'latency p95', COLORS.timedOut),
      ],
    },
  ];
}
