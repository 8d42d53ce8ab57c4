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
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { updateExpression } from '../../../lambdas/shared/record/folder-record';
import { STATE_NAMES } from './state-names';
import { CONDITION_FAILED, now, num, str, text, type WorkflowTasks } from './tasks';

/**
 * Quiet trigger, started by the folding function for a folder it claimed: wait until the folder has
 * been quiet for `quietSeconds`, showing what it holds so far in the record, then record what it holds
 * and move it to `CREATING`. An attempt superseded meanwhile (its record moved on) ends quietly.
 * Ends (to be continued with the create phase) once the folder is settled.
 */
export class SettlePhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, settleFunction: IFunction) {
    super(scope, id);
    const settle = tasks.invoke(
      this,
      STATE_NAMES.settle,
      settleFunction,
      TaskInput.fromObject({
        folderUri: JsonPath.stringAt('$.folderUri'),
        claimedAt: JsonPath.stringAt('$.claimedAt'),
        checks: JsonPath.numberAt('$.settle.value.checks'),
      }),
      '$.settle',
    );
    settle.addRetry({
      errors: ['TransientDependencyError'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
      jitterStrategy: JitterType.FULL,
    });
    tasks.catchFailures(this, settle, 'Settle');
    const start = new Pass(this, 'StartSettling', {
      stateName: 'StartSettling',
      result: Result.fromObject({ value: { checks: 0 } }),
      resultPath: '$.settle',
    });
    const waitForQuiet = new Wait(this, STATE_NAMES.settleWait, {
      stateName: STATE_NAMES.settleWait,
      time: WaitTime.secondsPath('$.settle.value.waitSeconds'),
    });
    const seen = [
      'objectCount = :count',
      'firstObjectAt = :first',
      'lastObjectAt = :last',
      'updatedAt = :now',
    ];
    const values = {
      ':pending': text('PENDING'),
      ':count': num('$.settle.value.objectCount'),
      ':first': str('$.settle.value.firstObjectAt'),
      ':last': str('$.settle.value.lastObjectAt'),
      ':attempt': num('$.attempt'),
      ':now': now,
    };
    // Both writes hold only while this execution's attempt is the folder's current, pending one.
    const current = '#status = :pending AND attempts = :attempt';
    const recordSettled = tasks.update(
      this,
      'RecordSettled',
      updateExpression({ set: ['#status = :creating', ...seen, 'executionArn = :exec', 'settledAt = :now'] }),
      { ...values, ':creating': text('CREATING'), ':exec': str('$$.Execution.Id') },
      current,
    );
    recordSettled.addCatch(new Succeed(this, 'AttemptSuperseded', { stateName: 'AttemptSuperseded' }), {
      errors: [CONDITION_FAILED],
      resultPath: '$.error',
    });
    // While collecting, the record shows what the folder holds so far.
    const recordCollecting = tasks.update(
      this,
      'RecordCollecting',
      updateExpression({ set: seen }),
      values,
      current,
    );
    recordCollecting.addCatch(
      new Succeed(this, 'AttemptSupersededWhileCollecting', {
        stateName: 'AttemptSupersededWhileCollecting',
      }),
      { errors: [CONDITION_FAILED], resultPath: '$.error' },
    );
    start
      .next(settle)
      .next(
        new Choice(this, 'FolderSettled', { stateName: 'FolderSettled' })
          .when(Condition.booleanEquals('$.settle.value.ready', true), recordSettled)
          .otherwise(recordCollecting.next(waitForQuiet).next(settle)),
      );
    this.startState = start;
    this.endStates = [recordSettled];
  }
}
