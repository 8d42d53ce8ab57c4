import {
  Fail,
  type INextable,
  JsonPath,
  type State,
  StateMachineFragment,
  Succeed,
} from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { RecordStatus } from '../../../lambdas/shared/record/folder-record';
import { updateExpression } from '../../../lambdas/shared/record/folder-record';
import { now, num, pascal, str, text, type WorkflowTasks } from './tasks';

/** The ends Visual Layer's status decides, with the error code of the unhappy ones. */
export const OUTCOMES = {
  READY: undefined,
  ERROR: 'VL_ERROR',
  TIMED_OUT: 'TIMED_OUT',
} as const satisfies Partial<Record<RecordStatus, string | undefined>>;

/**
 * One end of polling: the final record (status, Visual Layer's last reading and, when unhappy, the
 * error), the announcement, and the execution's end — it succeeds for `READY` and fails otherwise, so
 * the alarm on failed executions fires.
 */
export class OutcomePhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, status: keyof typeof OUTCOMES) {
    super(scope, id);
    const code = OUTCOMES[status];
    const message = '$.poll.value.message';
    const set = [
      '#status = :status',
      ...(code ? ['#error = :error'] : []),
      'vlStatus = :vl',
      'progress = :progress',
      'polls = :polls',
      'nImages = :images',
      'nVideos = :videos',
      'updatedAt = :now',
      'finishedAt = :now',
    ];
    const values: Record<string, DynamoAttributeValue> = {
      ':status': text(status),
      ':vl': str('$.poll.value.vlStatus'),
      ':progress': num('$.poll.value.progress'),
      ':polls': num('$.poll.value.polls'),
      ':images': num('$.poll.value.nImages'),
      ':videos': num('$.poll.value.nVideos'),
      ':now': now,
    };
    if (code) values[':error'] = DynamoAttributeValue.fromMap({ code: text(code), message: str(message) });
    const name = pascal(status);
    const record = tasks.update(this, `Record${name}`, updateExpression({ set }), values);
    const dataset = {
      folderUri: JsonPath.stringAt('$.folderUri'),
      status,
      datasetId: JsonPath.stringAt('$.created.value.datasetId'),
      datasetUrl: JsonPath.stringAt('$.created.value.datasetUrl'),
    };
    const detail = code
      ? { ...dataset, error: { code, message: JsonPath.stringAt(message) } }
      : {
          ...dataset,
          nImages: JsonPath.numberAt('$.poll.value.nImages'),
          nVideos: JsonPath.numberAt('$.poll.value.nVideos'),
        };
    const end = code
      ? new Fail(this, `Dataset${name}`, {
          stateName: `Dataset${name}`,
          error: code,
          causePath: JsonPath.stringAt(message),
        })
      : new Succeed(this, `Dataset${name}`, { stateName: `Dataset${name}` });
    // The slot goes back before a READY folder starts the batch of objects that arrived meanwhile.
    const then = status === 'READY' && tasks.afterReady ? tasks.afterReady(this, end) : end;
    record.next(tasks.releasingSlot(this, name, tasks.announce(this, `Announce${name}`, detail, then)));
    this.startState = record;
  }
}
