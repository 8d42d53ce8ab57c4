import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  Fail,
  JsonPath,
  type State,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { APPENDED_DETAIL_TYPE, type WorkflowTasks } from './tasks';

/** The append function's payload for `action`, with what every action needs. */
export function appendPayload(
  action: string,
  settleNext: boolean,
  extra: Record<string, unknown> = {},
): TaskInput {
  return TaskInput.fromObject({
    action,
    stateMachineArn: JsonPath.stringAt('$$.StateMachine.Id'),
    folderUri: JsonPath.stringAt('$.folderUri'),
    settleNext,
    ...extra,
  });
}

/**
 * Starts the folder's next append batch when objects wait to be sent (`next`), then `then`. Best
 * effort: when it fails, the objects stay pending and the next object, marker or batch starts them.
 */
export function startNextAppend(
  scope: Construct,
  stateName: string,
  tasks: WorkflowTasks,
  props: { appendFunction: IFunction; settleNext: boolean },
  then: State,
): State {
  const next = tasks.invoke(
    scope,
    stateName,
    props.appendFunction,
    appendPayload('next', props.settleNext),
    '$.next',
  );
  next.addRetry({ errors: ['TransientDependencyError'], interval: Duration.seconds(3), maxAttempts: 3 });
  next.addCatch(then, { errors: [Errors.ALL], resultPath: '$.nextError' });
  next.next(then);
  return next;
}

/** After the batch's record: wait more, announce how it ended, or end quietly (nothing sent, replaced). */
export function batchEnd(scope: Construct, tasks: WorkflowTasks, wait: State): State {
  const detail = {
    folderUri: JsonPath.stringAt('$.folderUri'),
    datasetId: JsonPath.stringAt('$.datasetId'),
    generation: JsonPath.numberAt('$.finish.value.generation'),
    added: JsonPath.numberAt('$.finish.value.added'),
  };
  const done = tasks.announce(
    scope,
    'AnnounceAppended',
    { ...detail, status: 'DONE' },
    new Succeed(scope, 'AppendDone', { stateName: 'AppendDone' }),
    APPENDED_DETAIL_TYPE,
  );
  const failed = tasks.announce(
    scope,
    'AnnounceAppendFailed',
    { ...detail, status: 'FAILED', error: JsonPath.objectAt('$.finish.value.error') },
    new Fail(scope, 'AppendFailed', {
      stateName: 'AppendFailed',
      errorPath: JsonPath.stringAt('$.finish.value.error.code'),
      causePath: JsonPath.stringAt('$.finish.value.error.message'),
    }),
    APPENDED_DETAIL_TYPE,
  );
  // Every end of a batch gives its slot of the gate back (none without a gate).
  return new Choice(scope, 'BatchFinished', { stateName: 'BatchFinished' })
    .when(Condition.stringEquals('$.finish.value.status', 'WAIT'), wait)
    .when(
      Condition.stringEquals('$.finish.value.status', 'DONE'),
      tasks.releasingSlot(scope, 'AppendDone', done),
    )
    .when(
      Condition.stringEquals('$.finish.value.status', 'FAILED'),
      tasks.releasingSlot(scope, 'AppendFailed', failed),
    )
    .otherwise(
      tasks.releasingSlot(
        scope,
        'AppendEnded',
        new Succeed(scope, 'AppendEnded', { stateName: 'AppendEnded' }),
      ),
    );
}
