import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  Fail,
  type INextable,
  JitterType,
  JsonPath,
  Pass,
  type State,
  StateMachineFragment,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { RETRYABLE_ERROR_NAMES } from '../../../lambdas/shared/errors';
import { MAX_CONSECUTIVE_POLL_FAILURES } from '../../../lambdas/shared/polling/limits';
import { appendPayload, batchEnd } from './append-tasks';
import { GatePhase, type GatePhaseProps } from './gate-phase';
import { STATE_NAMES } from './state-names';
import type { WorkflowTasks } from './tasks';

/** Props of {@link AppendPhase}. */
export interface AppendPhaseProps {
  readonly appendFunction: IFunction;
  readonly statusFunction: IFunction;
  /** The settle function (quiet trigger): a batch that asks for it waits until the folder is quiet. */
  readonly settleFunction?: IFunction;
  /** First (and shortest) wait before a status check, in seconds. */
  readonly pollIntervalSeconds: number;
  /** With `reindex=manual`, the status that ends a batch besides READY: `PARTIAL_INDEX`. */
  readonly endsAt?: string;
  /** Whether the batches this phase starts wait for the folder to be quiet first. */
  readonly settleNext: boolean;
  /** The gate on datasets in flight: a batch takes a slot before it sends. @default no gate */
  readonly gate?: GatePhaseProps;
}

/**
 * One append batch, in its own execution (input `{folderUri, datasetId, append}`): settle (quiet
 * trigger) → send (manifest + add_media once; a 409 is waited out) → poll the dataset until READY
 * (or PARTIAL INDEX with `reindex=manual`) and its MEDIA_ADDITION task has ended → record the batch
 * and start the next one → announce `Folder Objects Appended`. Every failure on the way ends in the
 * batch's record as FAILED; the folder stays READY, so it is never created again.
 */
export class AppendPhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, props: AppendPhaseProps) {
    super(scope, id);
    const batch = {
      datasetId: JsonPath.stringAt('$.datasetId'),
      generation: JsonPath.numberAt('$.append.generation'),
      token: JsonPath.stringAt('$.append.token'),
    };
    // Every path the batch's steps read exists from the start.
    const start = new Pass(this, 'StartAppendBatch', {
      stateName: 'StartAppendBatch',
      parameters: {
        'folderUri.$': '$.folderUri',
        'datasetId.$': '$.datasetId',
        'append.$': '$.append',
        settle: { value: { checks: 0 } },
        // The first send sets when the batch first tried: its deadline counts from there.
        send: { value: { firstTryAt: '', waitSeconds: 0, tries: 0 } },
        poll: {
          value: {
            polls: 0,
            nextWaitSeconds: props.pollIntervalSeconds,
            failures: 0,
            outcome: 'IN_PROGRESS',
          },
        },
        failure: {},
      },
    });
    const describeFailure = new Pass(this, 'DescribeBatchFailure', {
      stateName: 'DescribeBatchFailure',
      inputPath: '$.error',
      resultPath: '$.failure',
    });
    const finish = tasks.invoke(
      this,
      STATE_NAMES.finishBatch,
      props.appendFunction,
      appendPayload('finish', props.settleNext, {
        batch,
        poll: JsonPath.objectAt('$.poll.value'),
        failure: JsonPath.objectAt('$.failure'),
      }),
      '$.finish',
    );
    finish.addRetry({ errors: ['TransientDependencyError'], interval: Duration.seconds(3), maxAttempts: 5 });
    finish.addCatch(
      tasks.releasingSlot(
        this,
        'BatchNotRecorded',
        new Fail(this, 'BatchNotRecorded', { stateName: 'BatchNotRecorded' }),
      ),
      { errors: [Errors.ALL] },
    );
    describeFailure.next(finish);

    const send = tasks.invoke(
      this,
      STATE_NAMES.sendBatch,
      props.appendFunction,
      appendPayload('send', props.settleNext, {
        batch,
        send: {
          firstTryAt: JsonPath.stringAt('$.send.value.firstTryAt'),
          lastWaitSeconds: JsonPath.numberAt('$.send.value.waitSeconds'),
          tries: JsonPath.numberAt('$.send.value.tries'),
        },
      }),
      '$.send',
    );
    send.addRetry({
      errors: [...RETRYABLE_ERROR_NAMES],
      interval: Duration.seconds(4),
      backoffRate: 2,
      maxAttempts: 5,
      jitterStrategy: JitterType.FULL,
    });
    send.addCatch(describeFailure, { errors: [Errors.ALL], resultPath: '$.error' });

    const wait = new Wait(this, 'WaitBeforeBatchCheck', {
      stateName: 'WaitBeforeBatchCheck',
      time: WaitTime.secondsPath('$.poll.value.nextWaitSeconds'),
    });
    const check = tasks.invoke(
      this,
      STATE_NAMES.checkBatch,
      props.statusFunction,
      TaskInput.fromObject({
        datasetId: JsonPath.stringAt('$.datasetId'),
        since: JsonPath.stringAt('$.send.value.firstTryAt'),
        last: JsonPath.objectAt('$.poll.value'),
        append: true,
        ...(props.endsAt ? { endsAt: props.endsAt } : {}),
      }),
      '$.poll',
    );
    // A check that failed for now counts, and the loop goes on; too many in a row fail the batch.
    const checkFailed = new Pass(this, 'BatchCheckFailed', {
      stateName: 'BatchCheckFailed',
      parameters: {
        value: {
          outcome: 'IN_PROGRESS',
          'nextWaitSeconds.$': '$.poll.value.nextWaitSeconds',
          'polls.$': 'States.MathAdd($.poll.value.polls, 1)',
          'failures.$': 'States.MathAdd($.poll.value.failures, 1)',
        },
      },
      resultPath: '$.poll',
    });
    check.addCatch(checkFailed, { errors: ['VisualLayerTransientError'], resultPath: '$.error' });
    check.addCatch(describeFailure, { errors: [Errors.ALL], resultPath: '$.error' });
    checkFailed.next(
      new Choice(this, 'TooManyFailedBatchChecks', { stateName: 'TooManyFailedBatchChecks' })
        .when(
          Condition.numberGreaterThanEquals('$.poll.value.failures', MAX_CONSECUTIVE_POLL_FAILURES),
          describeFailure,
        )
        .otherwise(wait),
    );
    wait
      .next(check)
      .next(
        new Choice(this, 'BatchIndexed', { stateName: 'BatchIndexed' })
          .when(Condition.stringEquals('$.poll.value.outcome', 'IN_PROGRESS'), wait)
          .otherwise(finish),
      );

    const resend = new Wait(this, 'WaitBeforeResend', {
      stateName: 'WaitBeforeResend',
      time: WaitTime.secondsPath('$.send.value.waitSeconds'),
    });
    send.next(
      new Choice(this, 'BatchAccepted', { stateName: 'BatchAccepted' })
        .when(Condition.booleanEquals('$.send.value.sent', true), wait)
        .when(Condition.stringEquals('$.send.value.reason', 'busy'), resend.next(send))
        .otherwise(finish),
    );
    finish.next(batchEnd(this, tasks, wait));
    const toSend = props.gate ? this.gate(tasks, props.gate, send, describeFailure) : send;
    start.next(
      props.settleFunction ? this.settle(tasks, props.settleFunction, toSend, describeFailure) : toSend,
    );
    this.startState = start;
  }

  /**
   * The batch's clock starts (its deadline counts from here), then it takes a slot of the gate, as a
   * create does: a batch indexes on Visual Layer like a new dataset. Every end of the batch gives it back.
   */
  private gate(tasks: WorkflowTasks, gate: GatePhaseProps, send: State, failed: State): State {
    const clock = new Pass(this, 'StartBatchClock', {
      stateName: 'StartBatchClock',
      parameters: { value: { 'firstTryAt.$': '$$.State.EnteredTime', waitSeconds: 0, tries: 0 } },
      resultPath: '$.send',
    });
    const phase = new GatePhase(this, 'BatchGate', tasks, gate, {
      suffix: 'ForBatch',
      sincePath: '$.send.value.firstTryAt',
      failed,
      noSlot: failed,
    });
    clock.next(phase).next(send);
    return clock;
  }

  /** The quiet period before sending, for a batch that asks for it (`$.append.settle`). */
  private settle(tasks: WorkflowTasks, settleFunction: IFunction, send: State, failed: State): State {
    const settle = tasks.invoke(
      this,
      STATE_NAMES.appendSettle,
      settleFunction,
      TaskInput.fromObject({
        folderUri: JsonPath.stringAt('$.folderUri'),
        claimedAt: JsonPath.stringAt('$.append.startedAt'),
        checks: JsonPath.numberAt('$.settle.value.checks'),
      }),
      '$.settle',
    );
    settle.addRetry({ errors: ['TransientDependencyError'], interval: Duration.seconds(3), maxAttempts: 3 });
    settle.addCatch(failed, { errors: [Errors.ALL], resultPath: '$.error' });
    const quiet = new Wait(this, STATE_NAMES.appendSettleWait, {
      stateName: STATE_NAMES.appendSettleWait,
      time: WaitTime.secondsPath('$.settle.value.waitSeconds'),
    });
    settle.next(
      new Choice(this, 'AppendSettled', { stateName: 'AppendSettled' })
        .when(Condition.booleanEquals('$.settle.value.ready', true), send)
        .otherwise(quiet.next(settle)),
    );
    return new Choice(this, 'AppendSettles', { stateName: 'AppendSettles' })
      .when(Condition.booleanEquals('$.append.settle', true), settle)
      .otherwise(send);
  }
}
