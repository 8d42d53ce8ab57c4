/**
 * The metrics the functions emit (CloudWatch embedded metric format, through Powertools Metrics),
 * named here so the stack's dashboard reads exactly what the functions write. Every metric has one
 * dimension, {@link METRICS_DIMENSION}: the stack's name. No folder, dataset or status word is ever a
 * dimension, so the number of metrics stays fixed however many folders are ingested.
 */

/** The one namespace of the pipeline's own metrics. */
export const METRICS_NAMESPACE = 'VlIngest';

/** The dimension every metric has; its value is the stack's name (`POWERTOOLS_SERVICE_NAME`). */
export const METRICS_DIMENSION = 'service';

/** Metric names, by where they are decided. */
export const METRIC_NAMES = {
  /** check-status: Visual Layer finished the dataset `READY`. */
  datasetsReady: 'DatasetsReady',
  /** check-status: Visual Layer finished the dataset `ERROR` (the folder ends `ERROR`). */
  datasetsError: 'DatasetsError',
  /** check-status: still indexing at the deadline (the folder ends `TIMED_OUT`). */
  datasetsTimedOut: 'DatasetsTimedOut',
  /** check-status, at `READY`: seconds from the dataset's creation to the check that saw it ready. */
  indexingDuration: 'IndexingDuration',
  /** check-status: a status check that failed (ten in a row end the attempt `FAILED`). */
  statusChecksFailed: 'StatusChecksFailed',
  /** reconcile: records of ended executions it finished (`FAILED`, `EXECUTION_…`): ends no Catch rule saw. */
  recordsReconciled: 'RecordsReconciled',
  /** create-dataset and check-status: every request sent to Visual Layer (each try). */
  visualLayerRequests: 'VisualLayerRequests',
  /** Milliseconds to the answer of a request that got one. */
  visualLayerLatency: 'VisualLayerLatency',
  /** Requests answered 4xx (401 and 429 included). */
  visualLayer4xx: 'VisualLayer4xx',
  /** Requests answered 5xx. */
  visualLayer5xx: 'VisualLayer5xx',
  /** Requests that got no answer: a timeout or a dropped connection. */
  visualLayerNoAnswer: 'VisualLayerNoAnswer',
  /** gate, after each of its steps: folders (and append batches) holding a slot (maxConcurrentDatasets). */
  datasetsInFlight: 'DatasetsInFlight',
  /** gate, after each of its steps: executions parked on its waiting list. */
  foldersWaiting: 'FoldersWaiting',
  /** append-media: an append batch ended DONE (its objects are in the dataset). */
  appendBatchesDone: 'AppendBatchesDone',
  /** append-media: an append batch ended FAILED (the folder stays READY). */
  appendBatchesFailed: 'AppendBatchesFailed',
  /** append-media: objects a batch that ended DONE added to its dataset. */
  objectsAppended: 'ObjectsAppended',
} as const;

/** The metrics drawn only when the stack has the gate (`maxConcurrentDatasets` > 0). */
export const GATE_METRICS: readonly string[] = [METRIC_NAMES.datasetsInFlight, METRIC_NAMES.foldersWaiting];

/** The metrics drawn only when late objects are appended (`lateObjects=append`). */
export const APPEND_METRICS: readonly string[] = [
  METRIC_NAMES.appendBatchesDone,
  METRIC_NAMES.appendBatchesFailed,
  METRIC_NAMES.objectsAppended,
];
