import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EXECUTION_END_CODES } from '../errors';
import { type ObjectCreatedEvent, readObjectCreatedEvent } from '../s3/object-event';
import { type FolderRules, planFolder } from '../s3/s3-key';
import { boundText, MAX_TEXT } from '../text';
import {
  attributeNames,
  executionArnOf,
  executionName,
  legacyClaimToken,
  type RecordStatus,
  updateExpression,
} from './folder-record';

/**
 * The reconciler's decisions, pure: which attempt an ended execution ran, whether a record still
 * waits for an execution that will never write it, and the final record it gets. Some ends never
 * reach the state machine's Catch rules (`States.DataLimitExceeded`, `States.Runtime`, a stop, the
 * state machine's own timeout); without this the record would stay unfinished forever.
 */

/** Statuses of an attempt that has not ended: its execution still has to write the outcome. */
export const UNFINISHED_STATUSES = [
  'PENDING',
  'CREATING',
  'INDEXING',
] as const satisfies readonly RecordStatus[];
/** Longest `error.message` the reconciler writes, in UTF-8 bytes. */
export const MAX_ERROR_MESSAGE_BYTES = MAX_TEXT;
/**
 * How long a claimed attempt may go without an execution before it counts as lost. The folding
 * function claims a record before it starts the execution, and SQS retries a failed start (five
 * receives, six minutes apart: the last about 24 minutes after the claim), so this stays above that.
 */
export const LOST_EXECUTION_GRACE_MINUTES = 30;

/** An execution as `DescribeExecution` or a status change event tells it. */
export interface ExecutionView {
  executionArn: string;
  /** RUNNING, PENDING_REDRIVE, SUCCEEDED, FAILED, TIMED_OUT or ABORTED. */
  status: string;
  error?: string;
  cause?: string;
}

/**
 * The attempt a final record is for: the record must still be unfinished and on it. Under the quiet
 * trigger an attempt is told by its number (its execution name derives from it, and a claimed record
 * names no execution until it settles); otherwise by the execution the record names.
 */
export interface AttemptKey {
  folderUri: string;
  executionArn: string;
  attempt?: number;
}

/** The parts of a record the sweep reads. */
export interface SweptRecord {
  folderUri: string;
  status?: string;
  attempts?: number;
  executionArn?: string;
  claimedAt?: string;
  createdAt?: string;
  updatedAt?: string;
}

/** What the sweep does with one record. */
export type SweepDecision =
  | { action: 'finish'; error: { code: string; message: string } }
  | { action: 'leave'; reason: 'finished' | 'running' | 'starting' };

/** Whether a record's attempt is still waiting for its execution to write the outcome. */
export function isUnfinished(status: string | undefined): boolean {
  return (UNFINISHED_STATUSES as readonly string[]).includes(status ?? '');
}

/** The last segment of an execution ARN: its name. */
export function executionNameOf(executionArn: string): string {
  return executionArn.split(':').at(-1) ?? executionArn;
}

/**
 * The attempt whose execution the sweep must look at, or undefined when the record names none. A
 * record names its claim's execution (`executionArn`); one claimed before claim tokens existed and
 * still `PENDING` may not, and its execution is the one named after the folder and the attempt.
 */
export function attemptOfRecord(record: SweptRecord, stateMachineArn: string): AttemptKey | undefined {
  const { folderUri } = record;
  if (record.executionArn) return { folderUri, executionArn: record.executionArn };
  if (record.status !== 'PENDING') return undefined;
  const attempt = record.attempts ?? 1;
  const name = executionName(folderUri, legacyClaimToken(attempt));
  return { folderUri, attempt, executionArn: executionArnOf(stateMachineArn, name) };
}

/**
 * The attempt an ended execution ran, read from its input: a claimed folder (quiet trigger:
 * `folderUri`, whose record names this execution) or an S3 "Object Created" event, whose folder the
 * rules name. An execution named after the attempt number (before claim tokens) is matched by it.
 * Undefined for an input that names no folder (nothing of it can be unfinished).
 */
export function attemptOfExecution(
  execution: { executionArn: string; input: unknown },
  rules: FolderRules,
): AttemptKey | undefined {
  const { executionArn, input } = execution;
  const claimed = input as { folderUri?: unknown; attempt?: unknown } | null;
  if (typeof claimed?.folderUri === 'string') {
    const { folderUri, attempt } = claimed;
    const legacy =
      typeof attempt === 'number' &&
      executionNameOf(executionArn) === executionName(folderUri, legacyClaimToken(attempt));
    return legacy ? { folderUri, attempt, executionArn } : { folderUri, executionArn };
  }
  try {
    const plan = planFolder(readObjectCreatedEvent(input as ObjectCreatedEvent), rules);
    return plan.action === 'ingest' ? { folderUri: plan.folderUri, executionArn } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the sweep does with an unfinished record, given its attempt's execution (undefined when it
 * does not exist): an execution that still runs is left alone, one that ended makes the record
 * FAILED, and a missing one does so only once {@link LOST_EXECUTION_GRACE_MINUTES} have passed since
 * the claim (its start may still be on its way).
 */
export function decideSweep(
  record: SweptRecord,
  execution: ExecutionView | undefined,
  executionArn: string,
  now: Date,
): SweepDecision {
  if (!isUnfinished(record.status)) return { action: 'leave', reason: 'finished' };
  if (!execution) {
    const since = record.claimedAt ?? record.createdAt ?? record.updatedAt ?? '';
    const ageMinutes = (now.getTime() - Date.parse(since)) / 60_000;
    if (!(ageMinutes >= LOST_EXECUTION_GRACE_MINUTES)) return { action: 'leave', reason: 'starting' };
    return {
      action: 'finish',
      error: {
        code: EXECUTION_END_CODES.LOST,
        message: boundText(
          `execution ${executionNameOf(executionArn)} does not exist: the attempt claimed at ${since} ` +
            'never started (its start was lost), so it recorded no outcome',
        ),
      },
    };
  }
  if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') {
    return { action: 'leave', reason: 'running' };
  }
  return { action: 'finish', error: failureOf(execution) };
}

/** The `{code, message}` of an attempt whose execution ended without recording its outcome. */
export function failureOf(execution: ExecutionView): { code: string; message: string } {
  const name = executionNameOf(execution.executionArn);
  const why = [execution.error, execution.cause].filter((t) => t !== undefined && t !== '').join(': ');
  const before = "before recording the folder's outcome";
  switch (execution.status) {
    case 'FAILED':
      return {
        code: EXECUTION_END_CODES.FAILED,
        message: boundText(`execution ${name} failed ${before}: ${why || 'no error given'}`),
      };
    case 'TIMED_OUT':
      return {
        code: EXECUTION_END_CODES.TIMED_OUT,
        message: boundText(`execution ${name} hit the state machine's timeout ${before}`),
      };
    case 'ABORTED':
      return {
        code: EXECUTION_END_CODES.ABORTED,
        message: boundText(`execution ${name} was stopped ${before}${why ? `: ${why}` : ''}`),
      };
    default:
      return {
        code: EXECUTION_END_CODES.LOST,
        message: boundText(
          `execution ${name} ended ${execution.status} without recording the folder's outcome`,
        ),
      };
  }
}

/**
 * The conditional update that writes the final record: `FAILED` with `error`, `finishedAt`,
 * `updatedAt` and the execution, on the condition that the record is still unfinished and on the
 * attempt the execution ran — a record that moved on (finished, or a newer attempt) is never touched.
 */
export function finishUpdate(
  key: AttemptKey,
  error: { code: string; message: string },
  now: Date,
): {
  Key: Record<string, AttributeValue>;
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues: Record<string, AttributeValue>;
} {
  const update = updateExpression({
    set: [
      '#status = :failed',
      '#error = :error',
      'executionArn = :arn',
      'finishedAt = :now',
      'updatedAt = :now',
    ],
  });
  const unfinished = UNFINISHED_STATUSES.map((_, i) => `:unfinished${i}`);
  const condition = [
    key.attempt === undefined ? 'executionArn = :arn' : 'attempts = :attempt',
    `#status IN (${unfinished.join(', ')})`,
  ].join(' AND ');
  return {
    Key: { folderUri: { S: key.folderUri } },
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: attributeNames(update, condition),
    ExpressionAttributeValues: {
      ':failed': { S: 'FAILED' satisfies RecordStatus },
      ':error': { M: { code: { S: error.code }, message: { S: error.message } } },
      ':arn': { S: key.executionArn },
      ':now': { S: now.toISOString() },
      ...(key.attempt === undefined ? {} : { ':attempt': { N: String(key.attempt) } }),
      ...Object.fromEntries(UNFINISHED_STATUSES.map((s, i) => [`:unfinished${i}`, { S: s }])),
    },
  };
}
