import { Aws, Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  CustomState,
  type INextable,
  JsonPath,
  type State,
  StateMachineFragment,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { BoundedDefinition, type DefinitionBounds } from './bounded-definition';
import { type BudgetState, historyOnce, stateEvents, worstTaskSeconds } from './budget';
import { STATE_NAMES } from './state-names';
import type { WorkflowTasks } from './tasks';

/** The bounds one backfill execution keeps. */
export interface BackfillStepBounds {
  /** Steps (a listed page or a pause) one execution makes before it continues as a new one. */
  readonly stepsPerExecution: number;
  /** How long a pause waits (too many folders in flight). */
  readonly pauseSeconds: number;
}

/** Retries of the backfill's calls that may pass on their own (throttled or unavailable AWS services). */
const TRANSIENT_RETRY = {
  errors: ['TransientDependencyError'],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 4,
};

/**
 * The backfill's states: begin (take the prefix's run, or fail `BackfillAlreadyRunning` when one
 * runs), then a loop of steps — each lists a page and claims its folders, or pauses while too many
 * folders are in flight — that the function steers with `$.step.value.next`: `list`, `wait`,
 * `continue` (start the run's next execution with this state machine's own ARN, from the context
 * object, and end) or `done`. Both ends output `$.step.value.output`.
 */
export class BackfillSteps extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, backfillFunction: IFunction) {
    super(scope, id);
    const executionArn = JsonPath.stringAt('$$.Execution.Id');
    const begin = tasks.invoke(
      this,
      STATE_NAMES.backfillBegin,
      backfillFunction,
      TaskInput.fromObject({ action: 'begin', executionArn, input: JsonPath.entirePayload }),
      '$.step',
    );
    begin.addRetry(TRANSIENT_RETRY);
    const step = tasks.invoke(
      this,
      STATE_NAMES.backfillStep,
      backfillFunction,
      TaskInput.fromObject({ action: 'step', executionArn, state: JsonPath.objectAt('$.step.value') }),
      '$.step',
    );
    step.addRetry(TRANSIENT_RETRY);
    const pause = new Wait(this, STATE_NAMES.backfillPause, {
      stateName: STATE_NAMES.backfillPause,
      time: WaitTime.secondsPath('$.step.value.waitSeconds'),
    });
    const continued = new Succeed(this, 'BackfillContinued', {
      stateName: 'BackfillContinued',
      outputPath: '$.step.value.output',
    });
    const continueAsNew = new CustomState(this, STATE_NAMES.backfillContinue, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::states:startExecution`,
        Parameters: {
          // Its own ARN from the context object: the definition cannot name its own state machine.
          'StateMachineArn.$': '$$.StateMachine.Id',
          'Name.$': '$.step.value.successor.name',
          Input: {
            'prefix.$': '$.step.value.successor.input.prefix',
            'resume.$': '$.step.value.successor.input.resume',
            'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
          },
        },
        ResultPath: null,
        TimeoutSeconds: 60,
      },
    });
    continueAsNew.addRetry({
      errors: ['StepFunctions.SdkClientException', 'StepFunctions.AWSStepFunctionsException'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
    });
    // A retry after an answer that got lost: the next execution exists already (and may have ended).
    continueAsNew.addCatch(continued, {
      errors: ['StepFunctions.ExecutionAlreadyExistsException'],
      resultPath: JsonPath.DISCARD,
    });
    const next = new Choice(this, 'BackfillNext', { stateName: 'BackfillNext' })
      .when(Condition.stringEquals('$.step.value.next', 'list'), step)
      .when(Condition.stringEquals('$.step.value.next', 'wait'), pause.next(step))
      .when(Condition.stringEquals('$.step.value.next', 'continue'), continueAsNew.next(continued))
      .otherwise(
        new Succeed(this, 'BackfillDone', { stateName: 'BackfillDone', outputPath: '$.step.value.output' }),
      );
    begin.next(next);
    step.next(next);
    this.startState = begin;
  }
}

/**
 * What one backfill execution may cost at its bounds, from the rendered definition: every state once,
 * every retry once, and every step with a pause; its timeout, every step at its worst (retries at
 * their timeouts) after a pause.
 */
export function backfillBudget(
  definition: { States: Record<string, BudgetState> },
  bounds: BackfillStepBounds,
): DefinitionBounds {
  const states = definition.States;
  const round = [STATE_NAMES.backfillStep, 'BackfillNext', STATE_NAMES.backfillPause].reduce(
    (n, name) => n + stateEvents(states[name]),
    0,
  );
  const worst = (name: string) => {
    const state = states[name];
    if (!state) throw new Error(`the backfill has no state ${name}`);
    return worstTaskSeconds(name, state);
  };
  const stepSeconds = bounds.pauseSeconds + worst(STATE_NAMES.backfillStep);
  return {
    worstHistoryEvents: historyOnce(states) + bounds.stepsPerExecution * round,
    loops: `${bounds.stepsPerExecution} backfill steps × ${round}`,
    timeoutSeconds:
      worst(STATE_NAMES.backfillBegin) +
      bounds.stepsPerExecution * stepSeconds +
      worst(STATE_NAMES.backfillContinue),
  };
}

/** The backfill's definition, bounded by {@link backfillBudget}. */
export class BackfillDefinition extends BoundedDefinition {
  constructor(
    chainable: ConstructorParameters<typeof BoundedDefinition>[0],
    private readonly bounds: BackfillStepBounds,
  ) {
    super(chainable);
  }

  protected boundsOf(definition: { States: Record<string, BudgetState> }): DefinitionBounds {
    return backfillBudget(definition, this.bounds);
  }
}
