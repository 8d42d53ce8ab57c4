import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IChainable, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { EventStartPhase } from '../workflow/event-start-phase';
import { ObjectTrigger } from './object-trigger';

/**
 * The marker trigger: the rule starts one execution per marker object, which plans and claims its
 * folder from the event and creates the dataset at once.
 */
export class MarkerTrigger extends ObjectTrigger {
  readonly invokedFunctions: IFunction[] = [];
  readonly functions: IFunction[] = [];

  startWith(_scope: Construct, _tasks: unknown, phases: { eventStart: EventStartPhase }): IChainable {
    return phases.eventStart;
  }

  connect(stateMachine: StateMachine): void {
    this.rule.addTarget(new SfnStateMachine(stateMachine, this.delivery));
  }
}
