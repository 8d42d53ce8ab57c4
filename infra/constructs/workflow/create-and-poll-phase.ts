import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  type INextable,
  JitterType,
  JsonPath,
  Pass,
  Result,
  type State,
  StateMachineFragment,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { FAILURE_CODES, RETRYABLE_ERROR_NAMES } from '../../../lambdas/shared/errors';
import { MAX_CONSECUTIVE_POLL_FAILURES } from '../../../lambdas/shared/polling/limits';
import { updateExpression } from '../../../lambdas/shared/record/folder-record';
import { OUTCOMES, OutcomePhase } from './outcome-phase';
import { STATE_NAMES } from './state-names';
import { now, num, str, text, type WorkflowTasks } from './tasks';

/** Props of {@link CreateAndPollPhase}. */
export interface CreateAndPollProps {
  readonly createFunction: IFunction;
  readonly statusFunction: IFunction;
  /** First (and shortest) wait before a status check, in seconds. */
  readonly pollIntervalSeconds: number;
  /** Taken between the attempt's start and the create: the gate on datasets in flight. @default none */
  readonly gate?: StateMachineFragment;
}

/**
 * Starts the attempt's clock and creates the folder's dataset (retrying failed calls with backoff and
 * jitter; when Visual Layer pushes back with a 429 or 503, waiting in a Wait state as long as it asks
 * or backing off with jitter, until the attempt's deadline, where it gives up TIMED_OUT), records it
 * as `INDEXING`, then polls its status with a Wait/Choice loop whose waits the status
 * function decides (from the progress readings it carries in `$.poll.value.track`), until Visual Layer says READY or ERROR or the deadline passes; each of those
 * ends in its {@link OutcomePhase}. A failed status check counts as a check and the loop goes on,
 * until {@link MAX_CONSECUTIVE_POLL_FAILURES} in a row.
 */
export class CreateAndPollPhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, props: CreateAndPollProps) {
    super(scope, id);
    // The attempt's clock: its deadline (maxWaitMinutes) counts from here, for every wait that follows.
    const startAttempt = new Pass(this, STATE_NAMES.startAttempt, {
      stateName: STATE_NAMES.startAttempt,
      parameters: {
        value: { outcome: 'PENDING', waits: 0, waitSeconds: 0, 'since.$': '$$.State.EnteredTime' },
      },
      resultPath: '$.created',
    });
    const create = tasks.invoke(
      this,
      STATE_NAMES.create,
      props.createFunction,
      TaskInput.fromObject({
        folderUri: JsonPath.stringAt('$.folderUri'),
        datasetName: JsonPath.stringAt('$.datasetName'),
        notBefore: JsonPath.stringAt('$$.Execution.StartTime'),
        since: JsonPath.stringAt('$.created.value.since'),
        waits: JsonPath.numberAt('$.created.value.waits'),
        waitSeconds: JsonPath.numberAt('$.created.value.waitSeconds'),
      }),
      '$.created',
    );
    // Failed calls (5xx but 503, timeouts, dropped connections); a 429 or 503 comes back as a WAIT.
    create.addRetry({
      errors: [...RETRYABLE_ERROR_NAMES],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 4,
      maxDelay: Duration.seconds(60),
      jitterStrategy: JitterType.FULL,
    });
    tasks.catchFailures(this, create, 'Create');
    const recordCreated = tasks.update(
      this,
      'RecordCreated',
      updateExpression({
        set: [
          '#status = :indexing',
          'datasetId = :id',
          'datasetUrl = :url',
          'updatedAt = :now',
          'polls = :zero',
          // The create is generation 1; objects S3 created after it was accepted are appended.
          'generation = :one',
          'datasetCreatedAt = if_not_exists(datasetCreatedAt, :createdAt)',
        ],
      }),
      {
        ':indexing': text('INDEXING'),
        ':id': str('$.created.value.datasetId'),
        ':url': str('$.created.value.datasetUrl'),
        ':now': now,
        ':zero': DynamoAttributeValue.fromNumber(0),
        ':one': DynamoAttributeValue.fromNumber(1),
        ':createdAt': str('$.created.value.createdAt'),
      },
    );
    const waitBeforeCreate = new Wait(this, STATE_NAMES.createWait, {
      stateName: STATE_NAMES.createWait,
      time: WaitTime.secondsPath('$.created.value.waitSeconds'),
    });
    const gaveUp = new Pass(this, 'CreateGaveUp', {
      stateName: 'CreateGaveUp',
      parameters: { code: 'TIMED_OUT', cause: { 'errorMessage.$': '$.created.value.message' } },
      resultPath: '$.failure',
    });
    const answered = new Choice(this, 'CreateAnswered', { stateName: 'CreateAnswered' })
      .when(Condition.stringEquals('$.created.value.outcome', 'WAIT'), waitBeforeCreate.next(create))
      .when(Condition.stringEquals('$.created.value.outcome', 'TIMED_OUT'), gaveUp.next(tasks.giveUpTarget()))
      .otherwise(recordCreated);
    const startPolling = new Pass(this, 'StartPolling', {
      stateName: 'StartPolling',
      result: Result.fromObject({
        value: { polls: 0, nextWaitSeconds: props.pollIntervalSeconds, failures: 0, track: {} },
      }),
      resultPath: '$.poll',
    });
    const wait = new Wait(this, STATE_NAMES.wait, {
      stateName: STATE_NAMES.wait,
      time: WaitTime.secondsPath('$.poll.value.nextWaitSeconds'),
    });
    const check = tasks.invoke(
      this,
      STATE_NAMES.check,
      props.statusFunction,
      TaskInput.fromObject({
        datasetId: JsonPath.stringAt('$.created.value.datasetId'),
        since: JsonPath.stringAt('$.created.value.since'),
        last: JsonPath.objectAt('$.poll.value'),
      }),
      '$.poll',
    );
    // Every check costs the same history, retried or not; the failure count resets on success.
    const pollFailed = new Pass(this, 'PollFailed', {
      stateName: 'PollFailed',
      parameters: {
        value: {
          'polls.$': 'States.MathAdd($.poll.value.polls, 1)',
          'nextWaitSeconds.$': '$.poll.value.nextWaitSeconds',
          'failures.$': 'States.MathAdd($.poll.value.failures, 1)',
          'track.$': '$.poll.value.track',
        },
        'error.$': '$.pollError',
      },
      resultPath: '$.poll',
    });
    const unreachable = new Pass(this, 'ChecksKeptFailing', {
      stateName: 'ChecksKeptFailing',
      parameters: {
        code: FAILURE_CODES.VisualLayerTransientError,
        'cause.$': 'States.StringToJson($.poll.error.Cause)',
      },
      resultPath: '$.failure',
    });
    check.addCatch(pollFailed, { errors: ['VisualLayerTransientError'], resultPath: '$.pollError' });
    tasks.catchFailures(this, check, 'Check');
    const recordProgress = tasks.update(
      this,
      'RecordProgress',
      updateExpression({
        set: ['vlStatus = :vl', 'progress = :progress', 'polls = :polls', 'updatedAt = :now'],
      }),
      {
        ':vl': str('$.poll.value.vlStatus'),
        ':progress': num('$.poll.value.progress'),
        ':polls': num('$.poll.value.polls'),
        ':now': now,
      },
    );
    let decide = new Choice(this, 'IndexingDone', { stateName: 'IndexingDone' });
    for (const outcome of Object.keys(OUTCOMES) as (keyof typeof OUTCOMES)[]) {
      decide = decide.when(
        Condition.stringEquals('$.poll.value.outcome', outcome),
        new OutcomePhase(this, outcome, tasks, outcome),
      );
    }
    // Visual Layer asked to wait: nothing new to record, wait as it asked.
    decide.when(Condition.booleanEquals('$.poll.value.throttled', true), wait);
    decide.otherwise(recordProgress.next(wait));
    pollFailed.next(
      new Choice(this, 'TooManyFailedChecks', { stateName: 'TooManyFailedChecks' })
        .when(
          Condition.numberGreaterThanEquals('$.poll.value.failures', MAX_CONSECUTIVE_POLL_FAILURES),
          unreachable.next(tasks.failureTarget()),
        )
        .otherwise(wait),
    );
    if (props.gate) startAttempt.next(props.gate).next(create);
    else startAttempt.next(create);
    create.next(answered);
    recordCreated.next(startPolling).next(wait).next(check).next(decide);
    this.startState = startAttempt;
  }
}
