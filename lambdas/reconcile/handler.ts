import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { EventBridgeEvent } from 'aws-lambda';
import { DatasetGate, stepFunctionsExecutions } from '../shared/gate/gate';
import { GateStore } from '../shared/gate/gate-store';
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
const { folderRules, reconciling, gating } = readSettings('reconcile', process.env);
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const sfn = tracer.captureAWSv3Client(new SFNClient({}));
const reconciler = new RecordReconciler({ dynamodb, sfn, folderRules, ...reconciling });
const gate = gating.gateTable
  ? new DatasetGate(
      new GateStore(dynamodb, gating.gateTable, gating.maxConcurrentDatasets),
      stepFunctionsExecutions(sfn),
    )
  : undefined;

/** `detail-type` of the Step Functions events this function is given; anything else is the sweep's schedule. */
const STATUS_CHANGE = 'Step Functions Execution Status Change';

/**
 * Makes every execution end with a true record: an execution that ended (FAILED, TIMED_OUT,
 * ABORTED) without writing its folder's outcome gets it written and its slot of the gate given back
 * (and handed to the next waiter); the periodic sweep does the same for every unfinished record and
 * every slot or waiting place whose execution no longer runs. Throws on AWS errors, so the invocation
 * is retried; a missed one is made up by the next sweep. Counts the records it finished: failures
 * the state machine could not record.
 */
const reconcile = async (event: EventBridgeEvent<string, unknown>): Promise<{ finished: number }> => {
  try {
    const change =
      event['detail-type'] === STATUS_CHANGE ? (event.detail as ExecutionStatusChange) : undefined;
    const outcomes = change ? [await reconciler.executionEnded(change)] : await reconciler.sweep();
    // Every end gives back its slot of the gate; releasing twice changes nothing.
    const released = change
      ? (await gate?.release(change.executionArn))
        ? [change.executionArn]
        : []
      : ((await gate?.sweep()) ?? []);
    for (const executionArn of released)
      logger.warn('released the slot of an ended execution', { executionArn });
    const finished = outcomes.filter(
      (o): o is Extract<ReconcileOutcome, { action: 'finished' }> => o.action === 'finished',
    );
    for (const outcome of finished) logger.warn('finished the record of an ended execution', { ...outcome });
    countReconciled(metrics, finished.length);
    logger.info('reconciled', {
      trigger: event['detail-type'],
      looked: outcomes.length,
      finished: finished.length,
      released: released.length,
    });
    return { finished: finished.length };
  } catch (error) {
    logFailure(logger, 'reconcile failed', error);
    throw error;
  }
};

/** The Lambda handler: {@link reconcile}, traced, its count flushed. */
export const handler = instrumented(observability, 'reconcile', reconcile);
