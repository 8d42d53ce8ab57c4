import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IChainable, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { IngestConfig } from '../../config';
import type { EventStartPhase } from '../workflow/event-start-phase';
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

  startWith(_scope: Construct, _tasks: unknown, phases: { eventStart: EventStartPhase }): IChainable {
    return phases.eventStart;
  }

  connect(stateMachine: StateMachine): void {
    this.rule.addTarget(new SfnStateMachine(stateMachine, this.delivery));
  }
}
