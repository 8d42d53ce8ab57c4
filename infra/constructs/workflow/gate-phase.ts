import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  type INextable,
  IntegrationPattern,
  JsonPath,
  Pass,
  Result,
  type RetryProps,
  type State,
  StateMachineFragment,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { STATE_NAMES } from './state-names';
import { FunctionInvoke, type WorkflowTasks } from './tasks';

/** Props of {@link GatePhase}. */
export interface GatePhaseProps {
  /** The gate's function: acquire, park, release. */
  readonly gateFunction: IFunction;
  /** Slots of the gate, for the give-up message. */
  readonly maxConcurrentDatasets: number;
}

/**
 * Where a gate of the workflow stands: a folder's attempt (before its create) or an append batch
 * (before its add_media). @default the attempt's: its clock at `$.created.value.since`, its failures
 * recorded on the folder, a wait past its deadline giving up TIMED_OUT
 */
export interface GateSite {
  /** Suffix of the gate's state names (unique in the state machine). */
  readonly suffix: string;
  /** Where the deadline's clock is read (ISO time). */
  readonly sincePath: string;
  /** Where a failed gate call goes, the error at `$.error`. */
  readonly failed: State;
  /** Where a wait that ran out of time goes, its description at `$.error` (`Error`, `Cause`). */
  readonly noSlot: State;
}

/**
 * Retry of the gate's calls: Lambda not running the function, or the gate's table throttled. Its
 * steps are safe to repeat (a second park of one execution is handed the same slot).
 */
const GATE_CALL_RETRY: RetryProps = {
  errors: [
    'Lambda.TooManyRequestsException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'TransientDependencyError',
  ],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 3,
};

/**
 * The gate before the create: take a slot of the bound on datasets in flight, or park on the waiting
 * list in a `.waitForTaskToken` task (no compute, no polling) until whoever frees a slot hands it
 * over — at most until the attempt's deadline, where the attempt gives up TIMED_OUT. Ends holding a
 * slot. Registers, on the tasks, the release every end of the execution passes through.
 */
export class GatePhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, props: GatePhaseProps, site?: GateSite) {
    super(scope, id);
    const suffix = site?.suffix ?? '';
    const executionArn = JsonPath.stringAt('$$.Execution.Id');
    const acquire = tasks.invoke(
      this,
      `${STATE_NAMES.acquireSlot}${suffix}`,
      props.gateFunction,
      TaskInput.fromObject({
        action: 'acquire',
        executionArn,
        since: JsonPath.stringAt(site?.sincePath ?? '$.created.value.since'),
      }),
      '$.gate',
    );
    const waitForSlot = `${STATE_NAMES.waitForSlot}${suffix}`;
    const park = new FunctionInvoke(this, waitForSlot, {
      stateName: waitForSlot,
      lambdaFunction: props.gateFunction,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        action: 'park',
        executionArn,
        token: JsonPath.taskToken,
        folderUri: JsonPath.stringAt('$.folderUri'),
        lane: JsonPath.stringAt('$.lane'),
      }),
      // The wait for a slot counts against the attempt's deadline: acquire said how long is left.
      taskTimeout: Timeout.at('$.gate.value.waitSeconds'),
      resultPath: '$.slot',
      retryOnServiceExceptions: false,
    });
    park.addRetry(GATE_CALL_RETRY);
    const noSlotMessage =
      `no slot of the ${props.maxConcurrentDatasets} datasets in flight (maxConcurrentDatasets) came free ` +
      "before the attempt's deadline (maxWaitMinutes)";
    if (site) {
      // An append batch: the batch fails (TIMED_OUT); the folder stays READY.
      const noSlot = new Pass(this, `NoSlotInTime${suffix}`, {
        stateName: `NoSlotInTime${suffix}`,
        parameters: { Error: 'TIMED_OUT', Cause: `${noSlotMessage}; nothing was sent` },
        resultPath: '$.error',
      });
      park.addCatch(noSlot.next(site.noSlot), { errors: [Errors.TIMEOUT], resultPath: '$.error' });
      acquire.addCatch(site.failed, { errors: [Errors.ALL], resultPath: '$.error' });
      park.addCatch(site.failed, { errors: [Errors.ALL], resultPath: '$.error' });
    } else {
      const noSlot = new Pass(this, 'NoSlotInTime', {
        stateName: 'NoSlotInTime',
        parameters: {
          code: 'TIMED_OUT',
          cause: { errorMessage: `${noSlotMessage}; no dataset was created` },
        },
        resultPath: '$.failure',
      });
      park.addCatch(noSlot.next(tasks.giveUpTarget()), { errors: [Errors.TIMEOUT], resultPath: '$.error' });
      tasks.catchFailures(this, acquire, 'Gate');
      tasks.catchFailures(this, park, 'Park');
    }
    const acquired = new Choice(this, `SlotAcquired${suffix}`, { stateName: `SlotAcquired${suffix}` });
    const holding = new Pass(this, `HoldingSlot${suffix}`, { stateName: `HoldingSlot${suffix}` });
    // Backfilled folders wait after live ones: the backfill's claims put `lane` in the input, live ones don't.
    const live = new Pass(this, `LiveLane${suffix}`, {
      stateName: `LiveLane${suffix}`,
      result: Result.fromString('live'),
      resultPath: '$.lane',
    });
    const lane = new Choice(this, `LaneGiven${suffix}`, { stateName: `LaneGiven${suffix}` })
      .when(Condition.isPresent('$.lane'), park)
      .otherwise(live.next(park));
    acquired.when(Condition.booleanEquals('$.gate.value.acquired', true), holding).otherwise(lane);
    park.next(holding);
    acquire.next(acquired);
    this.startState = acquire;
    this.endStates = [holding];
  }
}

/**
 * The release every end passes through once the gate is on: the gate's function gives the slot back
 * and hands it to the next waiter. Best effort: a release that fails never changes the outcome (the
 * reconciler's sweep gives back a slot whose execution has ended).
 */
export function slotReleaser(
  gateFunction: IFunction,
): (scope: Construct, suffix: string, then: State) => State {
  return (scope, suffix, then) => {
    const name = `${STATE_NAMES.releaseSlot}${suffix}`;
    const release = new FunctionInvoke(scope, name, {
      stateName: name,
      lambdaFunction: gateFunction,
      payload: TaskInput.fromObject({
        action: 'release',
        executionArn: JsonPath.stringAt('$$.Execution.Id'),
      }),
      resultPath: JsonPath.DISCARD,
      taskTimeout: Timeout.duration(Duration.seconds(60)),
      retryOnServiceExceptions: false,
    });
    release.addRetry(GATE_CALL_RETRY);
    release.addCatch(then, { errors: [Errors.ALL], resultPath: JsonPath.DISCARD });
    release.next(then);
    return release;
  };
}
