import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { currentTime } from '../shared/clock';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import { DatasetGate, stepFunctionsExecutions } from '../shared/gate/gate';
import { GateStore } from '../shared/gate/gate-store';
import { countGate, createObservability, instrumented } from '../shared/observability';
import { untilDeadline } from '../shared/polling/deadline';
import { createLogger, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const { metrics, tracer } = observability;
const { gating, polling } = readSettings('gate', process.env);
const gate = new DatasetGate(
  new GateStore(
    tracer.captureAWSv3Client(new DynamoDBClient({})),
    gating.gateTable,
    gating.maxConcurrentDatasets,
  ),
  stepFunctionsExecutions(tracer.captureAWSv3Client(new SFNClient({}))),
);

/** Input from the state machine: what to do, for which execution. */
export type GateEvent =
  | { action: 'acquire'; executionArn: string; since: string }
  | { action: 'park'; executionArn: string; token: string; folderUri: string; lane?: 'live' | 'backfill' }
  | { action: 'release'; executionArn: string };

/** `acquire`: whether it holds a slot, and how long it may wait for one (until the attempt's deadline). */
export interface AcquireResult {
  acquired: boolean;
  waitSeconds: number;
}

/** One step of the gate ({@link step}), then how many hold a slot and wait, as metrics. */
const takeOrGiveBack = async (
  event: GateEvent,
): Promise<AcquireResult | { parked: true } | { released: boolean }> => {
  const result = await step(event);
  // Best effort: a failed count never fails the step.
  await gate.occupancy().then(
    (occupancy) => countGate(metrics, occupancy),
    (error: unknown) => logFailure(logger, 'could not count the gate', error),
  );
  return result;
};

/**
 * The gate's three steps: `acquire` a slot before the create (or learn how long one may be waited
 * for), `park` on the waiting list (the task then waits for its token: whoever frees a slot hands it
 * over), `release` at the end, handing the slot to the next waiter.
 */
const step = async (event: GateEvent): Promise<AcquireResult | { parked: true } | { released: boolean }> => {
  const executionArn = event?.executionArn;
  if (typeof executionArn !== 'string' || !executionArn.includes(':execution:'))
    throw new InvalidInputError('the gate needs the executionArn of its execution');
  try {
    if (event.action === 'acquire') {
      const since = new Date(event.since);
      if (Number.isNaN(since.getTime()))
        throw new InvalidInputError('acquire needs since as an ISO timestamp');
      const acquired = await gate.acquire(executionArn);
      const waitSeconds = untilDeadline(
        Number.MAX_SAFE_INTEGER,
        since,
        polling.maxWaitMinutes,
        currentTime(),
      );
      if (!acquired) logger.info('no slot free: parking', { executionArn, waitSeconds });
      return { acquired, waitSeconds };
    }
    if (event.action === 'park') {
      if (typeof event.token !== 'string' || event.token === '')
        throw new InvalidInputError('park needs the task token');
      await gate.park({
        executionArn,
        token: event.token,
        folderUri: String(event.folderUri),
        lane: event.lane === 'backfill' ? 'backfill' : 'live',
        parkedAt: currentTime().toISOString(),
      });
      return { parked: true };
    }
    if (event.action === 'release') return { released: await gate.release(executionArn) };
    throw new InvalidInputError(
      `the gate has no action ${JSON.stringify((event as { action?: unknown }).action)}`,
    );
  } catch (error) {
    logFailure(logger, `gate ${String(event.action)} failed`, error);
    throw TransientDependencyError.wrapIfTransient(error, `the gate's ${String(event.action)}`);
  }
};

/** The Lambda handler: {@link takeOrGiveBack}, traced. */
export const handler = instrumented(observability, 'gate', takeOrGiveBack);
