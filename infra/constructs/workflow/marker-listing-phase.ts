import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  Fail,
  type INextable,
  JsonPath,
  Pass,
  type State,
  StateMachineFragment,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { startNextAppend } from './append-tasks';
import { STATE_NAMES } from './state-names';
import type { WorkflowTasks } from './tasks';

/** Props of {@link MarkerListingPhase}. */
export interface MarkerListingProps {
  readonly listFunction: IFunction;
  readonly appendFunction: IFunction;
}

/**
 * Marker trigger, a newer marker in a folder that has (or is getting) its dataset: the folder is listed
 * into the object ledger, a few pages per call, so the objects it has gained are pending; then the
 * folder's next append batch is started (it sends at once: the marker says the upload is complete).
 */
export class MarkerListingPhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[] = [];

  constructor(scope: Construct, id: string, tasks: WorkflowTasks, props: MarkerListingProps) {
    super(scope, id);
    const start = new Pass(this, 'StartListing', {
      stateName: 'StartListing',
      parameters: { value: { 'startedAt.$': '$$.State.EnteredTime' } },
      resultPath: '$.listing',
    });
    const list = tasks.invoke(
      this,
      STATE_NAMES.listFolder,
      props.listFunction,
      TaskInput.fromObject({
        bucket: JsonPath.stringAt('$.bucket'),
        folderKey: JsonPath.stringAt('$.folderKey'),
        folderUri: JsonPath.stringAt('$.folderUri'),
        listing: JsonPath.objectAt('$.listing.value'),
      }),
      '$.listing',
    );
    list.addRetry({ errors: ['TransientDependencyError'], interval: Duration.seconds(2), maxAttempts: 4 });
    list.addCatch(new Fail(this, 'MarkerListingFailed', { stateName: 'MarkerListingFailed' }), {
      errors: [Errors.ALL],
    });
    const listed = startNextAppend(
      this,
      'AppendListedObjects',
      tasks,
      { appendFunction: props.appendFunction, settleNext: false },
      new Succeed(this, 'MarkerListed', { stateName: 'MarkerListed' }),
    );
    // A pause between calls keeps the loop a loop of waits, as every loop of the workflow is: its
    // rounds are bounded (MAX_LISTING_CALLS) and count in the history budget.
    const pause = new Wait(this, STATE_NAMES.listingPause, {
      stateName: STATE_NAMES.listingPause,
      time: WaitTime.duration(Duration.seconds(1)),
    });
    start
      .next(list)
      .next(
        new Choice(this, 'MoreToList', { stateName: 'MoreToList' })
          .when(Condition.isPresent('$.listing.value.continuationToken'), pause.next(list))
          .otherwise(listed),
      );
    this.startState = start;
  }
}
