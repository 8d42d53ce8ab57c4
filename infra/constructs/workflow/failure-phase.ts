import {
  Fail,
  type INextable,
  JsonPath,
  type State,
  StateMachineFragment,
} from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { updateExpression } from '../../../lambdas/shared/record/folder-record';
import { STATE_NAMES } from './state-names';
import { now, str, text, type WorkflowTasks } from './tasks';

/**
 * Where every caught failure ends: the record becomes `FAILED` with the `{code, message}` found at
 * `$.failure`, the failure is announced, and the execution fails so the alarm on failed executions
 * fires. Registers itself as the tasks' failure target.
 */
export class FailurePhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks) {
    super(scope, id);
    const failed = new Fail(this, 'PipelineFailed', {
      stateName: 'PipelineFailed',
      errorPath: JsonPath.stringAt('$.failure.code'),
      causePath: JsonPath.stringAt('$.failure.cause.errorMessage'),
    });
    const error = { code: '$.failure.code', message: '$.failure.cause.errorMessage' };
    const record = tasks.update(
      this,
      STATE_NAMES.recordFailed,
      updateExpression({
        set: ['#status = :failed', '#error = :error', 'updatedAt = :now', 'finishedAt = :now'],
      }),
      {
        ':failed': text('FAILED'),
        ':error': DynamoAttributeValue.fromMap({ code: str(error.code), message: str(error.message) }),
        ':now': now,
      },
    );
    const announce = tasks.announce(
      this,
      'AnnounceFailed',
      {
        folderUri: JsonPath.stringAt('$.folderUri'),
        status: 'FAILED',
        error: { code: JsonPath.stringAt(error.code), message: JsonPath.stringAt(error.message) },
      },
      failed,
    );
    record.next(announce);
    this.startState = record;
    tasks.recordFailed = record;
  }
}
