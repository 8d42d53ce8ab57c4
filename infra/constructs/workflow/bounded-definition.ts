import { Duration } from 'aws-cdk-lib';
import type { IPrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ChainDefinitionBody,
  type DefinitionConfig,
  type StateGraph,
  type StateMachineProps,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { HISTORY_EVENT_LIMIT } from '../../../lambdas/shared/polling/limits';
import { type BudgetState, workflowBudget } from './budget';

/** What a bounded definition must keep to: its worst history (and what makes it), and its timeout. */
export interface DefinitionBounds {
  worstHistoryEvents: number;
  /** The loops that make the worst history, for the message when it does not fit. */
  loops: string;
  timeoutSeconds: number;
}

/**
 * A definition with its budget enforced at synth: the state machine's timeout is the derived one, and
 * a definition whose worst history does not fit under Step Functions' limit fails synth, naming its
 * loops. Subclasses derive the bounds from the rendered states.
 */
export abstract class BoundedDefinition extends ChainDefinitionBody {
  protected abstract boundsOf(definition: { States: Record<string, BudgetState> }): DefinitionBounds;

  override bind(
    scope: Construct,
    principal: IPrincipal,
    props: StateMachineProps,
    graph?: StateGraph,
  ): DefinitionConfig {
    if (!graph) throw new Error(`${scope.node.path}: a bounded definition needs the state graph`);
    const bounds = this.boundsOf(graph.toGraphJson() as { States: Record<string, BudgetState> });
    if (bounds.worstHistoryEvents >= HISTORY_EVENT_LIMIT) {
      throw new Error(
        `${scope.node.path}: the worst execution writes ${bounds.worstHistoryEvents} history events (${bounds.loops}); ` +
          `Step Functions fails an execution at ${HISTORY_EVENT_LIMIT}`,
      );
    }
    graph.timeout = Duration.seconds(bounds.timeoutSeconds);
    return super.bind(scope, principal, props, graph);
  }
}

/** The workflow's definition, bounded by {@link workflowBudget} over the windows its loops wait in. */
export class BudgetedDefinition extends BoundedDefinition {
  constructor(
    chainable: ConstructorParameters<typeof ChainDefinitionBody>[0],
    private readonly windowsSeconds: number[],
  ) {
    super(chainable);
  }

  protected boundsOf(definition: { States: Record<string, BudgetState> }): DefinitionBounds {
    const budget = workflowBudget(definition, this.windowsSeconds);
    const loops = budget.loops.map((l) => `${l.rounds} ${l.name} × ${l.eventsPerRound}`).join(', ');
    return { ...budget, loops };
  }
}
