import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Backfill } from '../shared/backfill/backfill';
import type { BackfillInput, BackfillState } from '../shared/backfill/backfill-state';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import { createObservability, instrumented } from '../shared/observability';
import { createLogger, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const { tracer } = observability;
const { folderRules, backfilling } = readSettings('backfill', process.env);
const backfill = new Backfill({
  s3: tracer.captureAWSv3Client(new S3Client({})),
  dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
  sfn: tracer.captureAWSv3Client(new SFNClient({})),
  rules: folderRules,
  ...backfilling,
});

/** Input from the backfill state machine: begin an execution (its input), or make the next step. */
export type BackfillEvent =
  | { action: 'begin'; executionArn: string; input: BackfillInput }
  | { action: 'step'; executionArn: string; state: BackfillState };

/**
 * The backfill's steps: `begin` takes the prefix's run (or refuses: one runs already), `step` lists a
 * page and claims its folders, and says what the state machine does next.
 */
const backfillStep = async (event: BackfillEvent): Promise<BackfillState> => {
  const executionArn = event?.executionArn;
  if (typeof executionArn !== 'string' || !executionArn.includes(':execution:'))
    throw new InvalidInputError('the backfill needs the executionArn of its execution');
  try {
    if (event.action === 'begin') {
      const state = await backfill.begin(event.input ?? {}, executionArn);
      logger.info('backfill begun', { prefix: state.prefix, run: state.run, totals: state.totals });
      return state;
    }
    if (event.action === 'step') {
      const state = await backfill.step(event.state, executionArn);
      const { prefix, next, totals, startAfter } = state;
      logger.info('backfill step', { prefix, next, totals, startAfter });
      return state;
    }
    throw new InvalidInputError(
      `the backfill has no action ${JSON.stringify((event as { action?: unknown }).action)}`,
    );
  } catch (error) {
    logFailure(logger, `backfill ${String(event.action)} failed`, error);
    throw TransientDependencyError.wrapIfTransient(error, `the backfill's ${String(event.action)}`);
  }
};

/** The Lambda handler: {@link backfillStep}, traced. */
export const handler = instrumented(observability, 'backfill', backfillStep);
