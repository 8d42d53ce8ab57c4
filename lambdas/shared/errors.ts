/**
 * Errors thrown by the Lambda functions. Each class has a stable `name`: Step Functions sees it as the
 * error type, so the state machine's Retry and Catch rules match on these names, and
 * {@link FAILURE_CODES} turns them into the `error.code` a person reads in the record.
 */

import { boundText } from './text';

/** Base of every error the pipeline throws on purpose. */
export abstract class PipelineError extends Error {
  /** Whether trying the same call again later may succeed. */
  abstract readonly retryable: boolean;

  /**
   * The message is bounded ({@link boundText}): it becomes the Lambda error's message and stack,
   * then state, history, records and events, which all have size limits.
   */
  constructor(message: string) {
    super(boundText(message));
  }
}

/** Visual Layer did not answer usefully *yet*: 5xx, 429, a timeout or a network failure. */
export class VisualLayerTransientError extends PipelineError {
  override readonly name = 'VisualLayerTransientError';
  readonly retryable = true;
  constructor(
    message: string,
    /** HTTP status, when there was a response. */
    readonly status?: number,
    /** Seconds Visual Layer asked us to wait (`Retry-After`), when it said. */
    readonly retryAfterSeconds?: number,
    /**
     * True when the request may have reached Visual Layer and been acted on (a timeout or a dropped
     * connection after the body was sent, 502/503/504): a create may have happened.
     */
    readonly ambiguous = false,
  ) {
    super(message);
  }
}

/** An AWS service the pipeline depends on (DynamoDB, Step Functions) throttled or failed for now. */
export class TransientDependencyError extends PipelineError {
  override readonly name = 'TransientDependencyError';
  readonly retryable = true;

  /**
   * Rethrows an AWS SDK error as this class when it may pass on its own — throttling, 5xx, timeouts,
   * a dropped connection — so the state machine retries it; other errors pass through unchanged.
   */
  static wrapIfTransient(error: unknown, action: string): unknown {
    const e = error as {
      name?: string;
      code?: unknown;
      $retryable?: unknown;
      $metadata?: { httpStatusCode?: number };
    } | null;
    const status = e?.$metadata?.httpStatusCode ?? 0;
    const network = typeof e?.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code);
    if (e && (e.$retryable || status >= 500 || network || TRANSIENT_NAME.test(e.name ?? ''))) {
      const what = e.name && e.name !== 'Error' ? e.name : network ? String(e.code) : 'error';
      return new TransientDependencyError(`${what} while ${action}`);
    }
    return error;
  }
}

const TRANSIENT_NAME = /Throttl|LimitExceeded|TooManyRequests|Timeout|ServiceUnavailable|InternalServ/;
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/** Visual Layer refused the credentials (401), also after the secret was read again. */
export class VisualLayerAuthError extends PipelineError {
  override readonly name = 'VisualLayerAuthError';
  readonly retryable = false;
}

/** Visual Layer refused the request itself (400, 422, or a `{"status":"error"}` body). */
export class VisualLayerBadRequestError extends PipelineError {
  override readonly name = 'VisualLayerBadRequestError';
  readonly retryable = false;
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The account may not do this (403): no permission, feature off, or plan limit. */
export class VisualLayerForbiddenError extends PipelineError {
  override readonly name = 'VisualLayerForbiddenError';
  readonly retryable = false;
}

/** The dataset or path is unknown to Visual Layer or not visible to this account (404). */
export class VisualLayerNotFoundError extends PipelineError {
  override readonly name = 'VisualLayerNotFoundError';
  readonly retryable = false;
}

/** The dataset is in a state that does not allow the request (409). */
export class VisualLayerConflictError extends PipelineError {
  override readonly name = 'VisualLayerConflictError';
  readonly retryable = false;
}

/** Visual Layer answered 2xx with a body we cannot use (not JSON, or no dataset id). */
export class VisualLayerResponseError extends PipelineError {
  override readonly name = 'VisualLayerResponseError';
  readonly retryable = false;
}

/** The credentials secret is missing, unreadable, or does not hold a usable value. */
export class CredentialsError extends PipelineError {
  override readonly name = 'CredentialsError';
  readonly retryable = false;
}

/** The event or function input is not what the pipeline expects. */
export class InvalidInputError extends PipelineError {
  override readonly name = 'InvalidInputError';
  readonly retryable = false;
}

/**
 * `error.code` written to the record for each error name the state machine catches. The workflow
 * construct builds its Catch rules from this table, so a new error class needs one line here.
 */
export const FAILURE_CODES = {
  VisualLayerAuthError: 'AUTH',
  CredentialsError: 'BAD_CREDENTIALS',
  VisualLayerBadRequestError: 'BAD_REQUEST',
  VisualLayerForbiddenError: 'FORBIDDEN',
  VisualLayerNotFoundError: 'NOT_FOUND',
  VisualLayerConflictError: 'CONFLICT',
  VisualLayerResponseError: 'BAD_RESPONSE',
  VisualLayerTransientError: 'UNREACHABLE',
  TransientDependencyError: 'AWS_UNAVAILABLE',
  InvalidInputError: 'BAD_EVENT',
} as const;

/**
 * `error.code` the reconciler writes for an attempt whose execution ended without recording the
 * folder's outcome (an end no Catch rule sees: `States.DataLimitExceeded`, `States.Runtime`, a stop,
 * the state machine's timeout), by how the execution ended. `LOST`: it succeeded without a record,
 * or never started.
 */
export const EXECUTION_END_CODES = {
  FAILED: 'EXECUTION_FAILED',
  TIMED_OUT: 'EXECUTION_TIMED_OUT',
  ABORTED: 'EXECUTION_ABORTED',
  LOST: 'EXECUTION_LOST',
} as const;

/** The codes a failure record can carry. */
export type FailureCode =
  | (typeof FAILURE_CODES)[keyof typeof FAILURE_CODES]
  | (typeof EXECUTION_END_CODES)[keyof typeof EXECUTION_END_CODES]
  | 'VL_ERROR'
  | 'TIMED_OUT'
  | 'INTERNAL';

/** Names of the errors that are worth retrying from the state machine. */
export const RETRYABLE_ERROR_NAMES = ['VisualLayerTransientError', 'TransientDependencyError'] as const;
