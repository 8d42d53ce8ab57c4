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

/** The final statuses a described failure can end in, with the names of their states. */
const ENDS = {
  FAILED: {
    record: STATE_NAMES.recordFailed,
    announce: 'AnnounceFailed',
    fail: 'PipelineFailed',
    suffix: 'Failed',
  },
  TIMED_OUT: { record: 'RecordGaveUp', announce: 'AnnounceGaveUp', fail: 'PipelineGaveUp', suffix: 'GaveUp' },
} as const;

/**
 * Where every caught failure ends: the record becomes `FAILED` with the `{code, message}` found at
 * `$.failure`, the failure is announced, and the execution fails so the alarm on failed executions
 * fires. Registers itself as the tasks' failure target. With `TIMED_OUT`, the same for an attempt that
 * gave up at its deadline before it had a dataset (Visual Layer kept asking to wait, or no slot came
 * free): registered as the tasks' give-up target.
 */
export class FailurePhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, status: keyof typeof ENDS = 'FAILED') {
    super(scope, id);
    const names = ENDS[status];
    const failed = new Fail(this, names.fail, {
      stateName: names.fail,
      errorPath: JsonPath.stringAt('$.failure.code'),
      causePath: JsonPath.stringAt('$.failure.cause.errorMessage'),
    });
    const error = { code: '$.failure.code', message: '$.failure.cause.errorMessage' };
    const record = tasks.update(
      this,
      names.record,
      updateExpression({
        set: ['#status = :failed', '#error = :error', 'updatedAt = :now', 'finishedAt = :now'],
      }),
      {
        ':failed': text(status),
        ':error': DynamoAttributeValue.fromMap({ code: str(error.code), message: str(error.message) }),
        ':now': now,
      },
    );
    const announce = tasks.announce(
      this,
      names.announce,
      {
        folderUri: JsonPath.stringAt('$.folderUri'),
        status,
        error: { code: JsonPath.stringAt(error.code), message: JsonPath.stringAt(error.message) },
      },
      failed,
    );
    record.next(tasks.releasingSlot(this, names.suffix, announce));
    this.startState = record;
    if (status === 'FAILED') tasks.recordFailed = record;
    else tasks.recordGaveUp = record;
  }
}
