import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Errors,
  type IChainable,
  type INextable,
  JsonPath,
  Pass,
  type State,
  StateMachineFragment,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { DynamoAttributeValue } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { FAILURE_CODES } from '../../../lambdas/shared/errors';
import {
  RETRYABLE_STATUS_VALUES,
  reopenUpdate,
  updateExpression,
} from '../../../lambdas/shared/record/folder-record';
import { STATE_NAMES } from './state-names';
import { CONDITION_FAILED, now, str, text, type WorkflowTasks } from './tasks';

/**
 * An execution started by an object event (the marker trigger, or an S3 event given to the state
 * machine directly): plan the folder from the key, then claim it. The first event of a folder wins;
 * a folder whose last attempt failed is claimed again and keeps that attempt's outcome; any other
 * event only counts its object. Ends (to be continued with the create phase) after a claim.
 */
export class EventStartPhase extends StateMachineFragment {
  readonly startState: State;
  readonly endStates: INextable[];

  /**
   * @param newerMarker where a newer marker of a folder that is not failed continues (with appends:
   *   list the folder, so its new objects join the dataset); without it such a marker only counts.
   */
  constructor(
    scope: Construct,
    id: string,
    tasks: WorkflowTasks,
    planFunction: IFunction,
    newerMarker?: IChainable,
  ) {
    super(scope, id);
    const recordFailed = tasks.failureTarget();
    const plan = tasks.invoke(
      this,
      STATE_NAMES.plan,
      planFunction,
      TaskInput.fromJsonPathAt('$'),
      '$.planned',
    );
    const planned = new Pass(this, 'UsePlan', { stateName: 'UsePlan', inputPath: '$.planned.value' });
    // A rejected event has no folder: its record is keyed by the execution's name.
    const rejectedKey = JsonPath.format('rejected-event:{}', JsonPath.stringAt('$$.Execution.Name'));
    const rejected = new Pass(this, 'DescribeRejectedEvent', {
      stateName: 'DescribeRejectedEvent',
      parameters: {
        folderUri: rejectedKey,
        failure: { code: FAILURE_CODES.InvalidInputError, 'cause.$': 'States.StringToJson($.error.Cause)' },
      },
    });
    const crashed = new Pass(this, 'DescribePlanFailure', {
      stateName: 'DescribePlanFailure',
      parameters: {
        folderUri: rejectedKey,
        failure: {
          code: 'INTERNAL',
          cause: {
            errorMessage: JsonPath.format(
              'the event could not be planned ({}); see the execution history',
              JsonPath.stringAt('$.error.Error'),
            ),
          },
        },
      },
    });
    plan.addCatch(rejected.next(recordFailed), { errors: ['InvalidInputError'], resultPath: '$.error' });
    plan.addCatch(crashed.next(recordFailed), { errors: [Errors.ALL], resultPath: '$.error' });

    const values = {
      ':pending': text('PENDING'),
      ':name': str('$.datasetName'),
      ':exec': str('$$.Execution.Id'),
      ':now': now,
      ':objectAt': str('$.objectCreatedAt'),
      ':one': DynamoAttributeValue.fromNumber(1),
      ':sequencer': str('$.objectSequencer'),
    };
    const claim = tasks.update(
      this,
      STATE_NAMES.claim,
      updateExpression({
        set: [
          '#status = :pending',
          'datasetName = :name',
          'executionArn = :exec',
          'updatedAt = :now',
          'claimedAt = :now',
          'createdAt = :now',
          'firstObjectAt = :objectAt',
          'lastObjectAt = :objectAt',
          'objectCount = :one',
          'attempts = :one',
          'markerSequencer = :sequencer',
        ],
      }),
      values,
      'attribute_not_exists(folderUri)',
    );
    // Two re-claims, as the update differs by whether the failed attempt made a dataset to remember.
    const reclaim = (hadDataset: boolean, name: string) => {
      const update = reopenUpdate(hadDataset, {
        set: ['executionArn = :exec', 'lastObjectAt = :objectAt', 'markerSequencer = :sequencer'],
        add: ['objectCount :one', 'attempts :one'],
        // Only a newer write of the marker opens a new attempt: a replayed event only counts.
        condition: '(attribute_not_exists(markerSequencer) OR markerSequencer < :sequencer)',
      });
      const all = { ...values, ...retryableValues() };
      return tasks.update(this, name, update.updateExpression, all, update.conditionExpression);
    };
    const reclaimWithDataset = reclaim(true, 'ReclaimFailedFolder');
    const reclaimWithoutDataset = reclaim(false, 'ReclaimFailedFolderWithoutDataset');
    const countObject = tasks
      .update(
        this,
        'CountLateObject',
        updateExpression({
          set: ['lastObjectAt = :objectAt', 'updatedAt = :now'],
          add: ['objectCount :one'],
        }),
        {
          ':objectAt': values[':objectAt'],
          ':now': now,
          ':one': values[':one'],
        },
      )
      .next(new Succeed(this, 'FolderAlreadyClaimed', { stateName: 'FolderAlreadyClaimed' }));
    claim.addCatch(reclaimWithDataset, { errors: [CONDITION_FAILED], resultPath: '$.error' });
    reclaimWithDataset.addCatch(reclaimWithoutDataset, { errors: [CONDITION_FAILED], resultPath: '$.error' });
    let notClaimed: IChainable = countObject;
    if (newerMarker) {
      // A newer marker of a folder being created or READY: remembered, then the folder is listed.
      const newer = tasks.update(
        this,
        'ClaimNewerMarker',
        updateExpression({
          set: ['markerSequencer = :sequencer', 'lastObjectAt = :objectAt', 'updatedAt = :now'],
        }),
        { ':sequencer': values[':sequencer'], ':objectAt': values[':objectAt'], ':now': now },
        'attribute_exists(folderUri) AND (attribute_not_exists(markerSequencer) OR markerSequencer < :sequencer)',
      );
      newer.addCatch(countObject, { errors: [CONDITION_FAILED], resultPath: '$.error' });
      newer.next(newerMarker);
      notClaimed = newer;
    }
    reclaimWithoutDataset.addCatch(notClaimed, { errors: [CONDITION_FAILED], resultPath: '$.error' });
    // A claim that cannot be written cannot be recorded either: the execution fails and is alarmed.

    plan
      .next(planned)
      .next(
        new Choice(this, 'ShouldIngest', { stateName: 'ShouldIngest' })
          .when(
            Condition.stringEquals('$.action', 'skip'),
            new Succeed(this, 'ObjectSkipped', { stateName: 'ObjectSkipped' }),
          )
          .otherwise(claim),
      );
    this.startState = plan;
    this.endStates = [claim, reclaimWithDataset, reclaimWithoutDataset];
  }
}

/** The retryable statuses as the attribute values a `#status IN (…)` condition names. */
export function retryableValues(): Record<string, DynamoAttributeValue> {
  return Object.fromEntries(Object.entries(RETRYABLE_STATUS_VALUES).map(([k, v]) => [k, text(v)]));
}
