import { StateMachine } from 'aws-local-stepfunctions';
import { type WaitSpec, withClockWaits } from './clock-waits';
import type { Template } from './cloud-assembly';
import { localPhysicalId, resolveIntrinsics } from './intrinsics';
import { type TokenTimeout, withLocalTokenTasks } from './task-tokens';

/** A state of a definition, as far as the local runtime dispatches it. */
export type StateDef = { Type: string; Resource?: string; Branches?: { States: Record<string, StateDef> }[] };

/** One state machine of the template, ready for aws-local-stepfunctions. */
export interface LocalStateMachine {
  /** Its local ARN (`arn:aws:states:…:stateMachine:<logical id>`). */
  arn: string;
  logicalId: string;
  machine: StateMachine;
  /** The definition the interpreter runs: token tasks wrapped, and on a virtual clock Waits as clock tasks. */
  definition: { States: Record<string, StateDef> };
  /** The Wait states the runtime answers on its virtual clock, by name (none on the system clock). */
  clockWaits: Map<string, WaitSpec>;
  /** `.waitForTaskToken` tasks and their timeouts, by name. */
  tokenTimeouts: Map<string, TokenTimeout>;
  /** The state machine's timeout, kept by the runtime on a virtual clock. */
  timeoutSeconds?: number;
}

/**
 * Every `AWS::StepFunctions::StateMachine` of the template, its definition resolved and made ready
 * for the local interpreter. `virtualClock`: Wait states become tasks the runtime answers on its own
 * clock, and the timeout is taken out of the definition (see clock-waits.ts).
 */
export function loadStateMachines(template: Template, virtualClock: boolean): LocalStateMachine[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
    .map(([logicalId, resource]) => {
      const text = resolveIntrinsics(resource.Properties?.DefinitionString, template) as string;
      let definition = JSON.parse(text) as { States: Record<string, StateDef> };
      let clockWaits = new Map<string, WaitSpec>();
      let timeoutSeconds: number | undefined;
      if (virtualClock) {
        const local = withClockWaits(JSON.parse(text));
        definition = local.definition as never;
        clockWaits = local.waits;
        timeoutSeconds = local.timeoutSeconds;
      }
      const tokenTasks = withLocalTokenTasks(definition.States as never);
      definition = { ...definition, States: tokenTasks.states as never };
      return {
        arn: localPhysicalId(template, logicalId),
        logicalId,
        machine: new StateMachine(definition as never, { validationOptions: { checkArn: false } }),
        definition,
        clockWaits,
        tokenTimeouts: tokenTasks.timeouts,
        timeoutSeconds,
      };
    });
}

/** Every state of a definition, those of Parallel branches included, by name. */
export function collectStates(
  states: Record<string, StateDef>,
  into = new Map<string, StateDef>(),
): Map<string, StateDef> {
  for (const [name, state] of Object.entries(states)) {
    into.set(name, state);
    for (const branch of state.Branches ?? []) collectStates(branch.States, into);
  }
  return into;
}
