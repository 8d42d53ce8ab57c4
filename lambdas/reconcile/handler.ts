import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { countReconciled, createObservability, instrumented } from '../shared/observability';
import {
  type ExecutionStatusChange,
  type ReconcileOutcome,
  RecordReconciler,
} from '../shared/record/reconciler';
import { createLogger, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const { metrics, tracer } = observability;
const { folderRules, reconciling } = readSettings('reconcile', process.env);
const reconciler = new RecordReconciler({
  dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
  sfn: tracer.captureAWSv3Client(new SFNClient({})),
  folderRules,
  ...reconciling,
});

/** `detail-type` of the Step Functions events this function is given; anything else is the sweep's schedule. */
const STATUS_CHANGE = 'Step Functions Execution Status Change';

/**
 * Makes every execution end with a true record: an execution that ended (FAILED, TIMED_OUT,
 * ABORTED) without writing its folder's outcome gets it written, and the periodic sweep does the same
 * for every unfinished record whose execution no longer runs. Throws on AWS errors, so the invocation
 * is retried; a missed one is made up by the next sweep. Counts the records it finished: failures
 * the state machine could not record.
 */
const reconcile = async (event: EventBridgeEvent<string, unknown>): Promise<{ finished: number }> => {
  try {
    const outcomes =
      event['detail-type'] === STATUS_CHANGE
        ? [await reconciler.executionEnded(event.detail as ExecutionStatusChange)]
        : await reconciler.sweep();
    const finished = outcomes.filter(
      (o): o is Extract<ReconcileOutcome, { action: 'finished' }> => o.action === 'finished',
    );
    for (const outcome of finished) logger.warn('finished the record of an ended execution', { ...outcome });
    countReconciled(metrics, finished.length);
    logger.info('reconciled', {
      trigger: event['detail-type'],
      looked: outcomes.length,
      finished: finished.length,
    });
    return { finished: finished.length };
  } catch (error) {
    logFailure(logger, 'reconcile failed', error);
    throw error;
  }
};

/** The Lambda handler: {@link reconcile}, traced, its count flushed. */
export const handler = instrumented(observability, 'reconcile', reconcile);
