import { createHash, randomBytes } from 'node:crypto';

/**
 * The folder record: one DynamoDB item per folder, keyed by its `s3://bucket/folder/` URI. This module
 * is its only owner. The state machine's DynamoDB tasks (infra) and the functions (lambdas) both build
 * their keys, status values and update expressions from it, so the two sides cannot drift apart.
 */

/** Key and index names of the records table. */
export const RECORD_KEYS = {
  partitionKey: 'folderUri',
  byDatasetIndex: 'byDatasetId',
  byStatusIndex: 'byStatus',
} as const;

/** Pipeline states of a folder, in the order an attempt moves through them. */
export const RECORD_STATUSES = [
  'PENDING',
  'CREATING',
  'INDEXING',
  'READY',
  'ERROR',
  'TIMED_OUT',
  'FAILED',
] as const;
/** A folder's pipeline state (`status`). */
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/** Ends of an attempt from which new objects start a new attempt. Each of them carries `error`. */
export const RETRYABLE_STATUSES = ['ERROR', 'TIMED_OUT', 'FAILED'] as const satisfies readonly RecordStatus[];
/** Ends of an attempt. */
export const TERMINAL_STATUSES = ['READY', ...RETRYABLE_STATUSES] as const satisfies readonly RecordStatus[];

/** States in which an execution is at work on the folder's dataset. */
export const IN_FLIGHT_STATUSES = ['CREATING', 'INDEXING'] as const satisfies readonly RecordStatus[];

/** Whether a record in this status may be claimed again by a new drop. */
export function isRetryable(status: string | undefined): boolean {
  return (RETRYABLE_STATUSES as readonly string[]).includes(status ?? '');
}

/**
 * Every attribute a record can hold, with what it means. The record table of docs/record.md documents
 * exactly these (a test compares them).
 */
export const RECORD_ATTRIBUTES = {
  folderUri: 'the folder, `s3://bucket/folder/` (decoded key)',
  status: 'pipeline state',
  datasetId: "Visual Layer's dataset id",
  datasetName: 'name the dataset was created with',
  datasetUrl: 'link to the dataset in Visual Layer',
  vlStatus: "Visual Layer's own status word at the last check",
  progress: 'Visual Layer progress, 0–100, at the last check',
  nImages: 'images in the dataset (final records)',
  nVideos: 'videos in the dataset (final records)',
  error: '`{code, message}` of the attempt that failed',
  executionArn: 'the execution handling the current attempt',
  claimToken: "names the current attempt's execution; a new one is drawn when that execution is gone",
  markerSequencer:
    "S3 sequencer of the marker that opened the attempt (marker trigger): a replayed marker event isn't newer",
  objectCount: 'objects counted in the folder',
  lateObjectCount: 'objects S3 created after the dataset was created (quiet trigger, lateObjects=ignore)',
  firstObjectAt: 'S3 time of the oldest object',
  lastObjectAt: 'S3 time of the newest object',
  attempts: 'attempts so far (1 = the first drop)',
  claimedAt: 'when the current attempt was claimed',
  settledAt: 'when the folder was found quiet and its dataset creation began (quiet trigger)',
  createdAt: 'when the record was made',
  updatedAt: 'last change (the `byStatus` index sorts on it)',
  finishedAt: 'when the attempt ended',
  polls: 'status checks made',
  lastStatus: 'status the previous attempt ended with',
  lastError: 'error of the previous attempt',
  lastDatasetId: 'dataset of the previous attempt, if it made one',
  generation: 'batches sent to the dataset: 1 = the create, 2, 3, … the appends',
  datasetCreatedAt: 'when Visual Layer accepted the create: objects S3 created later are appended',
  append: 'the current or last append batch',
  appends: 'the last 20 append batches',
} as const;
/** An attribute name of the record. */
export type RecordAttribute = keyof typeof RECORD_ATTRIBUTES;

/** Attributes that describe one attempt's dataset and outcome: a new attempt removes them. */
export const ATTEMPT_ATTRIBUTES = [
  'error',
  'datasetId',
  'datasetUrl',
  'finishedAt',
  'vlStatus',
  'progress',
  'polls',
  'nImages',
  'nVideos',
  'generation',
  'datasetCreatedAt',
  'append',
  'appends',
] as const satisfies readonly RecordAttribute[];

/** DynamoDB reserved words among the attribute names: expressions use `#status`, `#error`. */
const RESERVED = ['status', 'error'] as const;

/** The parts of an update expression, by clause. */
export interface UpdateClauses {
  set?: string[];
  add?: string[];
  remove?: readonly string[];
}

/** Joins clauses into an update expression, writing reserved attribute names as `#name`. */
export function updateExpression(clauses: UpdateClauses): string {
  const parts: string[] = [];
  if (clauses.set?.length) parts.push(`SET ${clauses.set.join(', ')}`);
  if (clauses.add?.length) parts.push(`ADD ${clauses.add.join(', ')}`);
  if (clauses.remove?.length) parts.push(`REMOVE ${clauses.remove.map(aliased).join(', ')}`);
  return parts.join(' ');
}

/** `#status` / `#error` aliases an expression needs, or undefined when it needs none. */
export function attributeNames(...expressions: (string | undefined)[]): Record<string, string> | undefined {
  const text = expressions.join(' ');
  const names: Record<string, string> = {};
  for (const word of RESERVED) if (text.includes(`#${word}`)) names[`#${word}`] = word;
  return Object.keys(names).length > 0 ? names : undefined;
}

function aliased(attribute: string): string {
  return (RESERVED as readonly string[]).includes(attribute) ? `#${attribute}` : attribute;
}

/** `:error, :timedOut, :failed` → the retryable statuses, for a condition `#status IN (…)`. */
export const RETRYABLE_STATUS_VALUES: Record<string, (typeof RETRYABLE_STATUSES)[number]> = {
  ':error': 'ERROR',
  ':timedOut': 'TIMED_OUT',
  ':failed': 'FAILED',
};

/** Condition that the record ended an attempt in a retryable status. */
export const RETRYABLE_CONDITION = `#status IN (${Object.keys(RETRYABLE_STATUS_VALUES).join(', ')})`;

/**
 * The update that opens a new attempt on a record whose last attempt failed: the last outcome is
 * kept as `lastStatus`, `lastError` and (when that attempt made a dataset) `lastDatasetId`, the
 * attempt's own attributes are removed, and the record is `PENDING` again. Expects the values
 * `:pending`, `:now`, `:name` and {@link RETRYABLE_STATUS_VALUES}; `extra` adds the caller's clauses.
 * Both re-open paths (the folding function and the state machine's marker re-claim) use it.
 */
export function reopenUpdate(
  hadDataset: boolean,
  extra: { set?: string[]; add?: string[]; condition?: string } = {},
): { updateExpression: string; conditionExpression: string } {
  const keep = [
    'lastStatus = #status',
    'lastError = #error',
    ...(hadDataset ? ['lastDatasetId = datasetId'] : []),
  ];
  return {
    updateExpression: updateExpression({
      set: [
        ...keep,
        '#status = :pending',
        'datasetName = :name',
        'claimedAt = :now',
        'updatedAt = :now',
        ...(extra.set ?? []),
      ],
      add: extra.add,
      remove: ATTEMPT_ATTRIBUTES,
    }),
    conditionExpression: [
      RETRYABLE_CONDITION,
      hadDataset ? 'attribute_exists(datasetId)' : 'attribute_not_exists(datasetId)',
      ...(extra.condition ? [extra.condition] : []),
    ].join(' AND '),
  };
}

/**
 * The execution name of a folder's claim: a hash of the folder URI (names allow 80 characters of a
 * restricted set, folder URIs are longer and freer) plus the claim token stored in the record. Every
 * batch of a claim starts the same name, so a drop has one execution; an ended execution's name stays
 * taken for 90 days, so a folder whose execution is gone is claimed again under a new token.
 */
export function executionName(folderUri: string, claimToken: string): string {
  return `folder-${createHash('sha256').update(folderUri).digest('hex').slice(0, 48)}-${claimToken}`;
}

/** A fresh claim token (12 hex digits). */
export function newClaimToken(): string {
  return randomBytes(6).toString('hex');
}

/** The token of a record claimed before tokens existed: its executions were named by attempt. */
export function legacyClaimToken(attempt: number): string {
  return `a${attempt}`;
}

/** The ARN Step Functions gives the execution `name` of a state machine. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
