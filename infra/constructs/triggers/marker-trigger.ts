import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Choice, Condition, type IChainable, type StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { IngestConfig } from '../../config';
import type { EntryPhases } from '../workflow/ingest-workflow';
import { markerObjectMatch } from './key-patterns';
import { ObjectTrigger, type ObjectTriggerProps } from './object-trigger';

/** Props of {@link MarkerTrigger}. */
export interface MarkerTriggerProps extends ObjectTriggerProps {
  readonly config: ObjectTriggerProps['config'] & Pick<IngestConfig, 'markerName'>;
}

/**
 * The marker trigger: the rule starts one execution per marker object, which plans and claims its
 * folder from the event and creates the dataset at once.
 */
export class MarkerTrigger extends ObjectTrigger {
  readonly functions: IFunction[] = [];

  constructor(scope: Construct, id: string, props: MarkerTriggerProps) {
    super(scope, id, props.bucket, markerObjectMatch(props.config));
  }

  /**
   * An append batch (its input has `append`) runs the append phase; a folder the backfill claimed (its
   * input has `folderUri`) is created at once, the backfill taking every folder it lists as complete;
   * a marker event starts at the plan.
   */
  startWith(scope: Construct, _tasks: unknown, phases: EntryPhases): IChainable {
    const howStarted = new Choice(scope, 'HowStarted', {
      stateName: 'HowStarted',
      comment:
        'An append batch runs the append phase; a folder the backfill claimed is created at once; a marker event starts at the plan.',
    });
    if (phases.append) howStarted.when(Condition.isPresent('$.append'), phases.append);
    return howStarted.when(Condition.isPresent('$.folderUri'), phases.create).otherwise(phases.eventStart);
  }

  connect(stateMachine: StateMachine): void {
    this.rule.addTarget(new SfnStateMachine(stateMachine, this.delivery));
  }
}
