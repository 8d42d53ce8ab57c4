import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKFILL_BOUNDS } from '../../infra/constructs/backfill';
import { backfillBudget } from '../../infra/constructs/workflow/backfill-steps';
import { HISTORY_EVENT_LIMIT } from '../../lambdas/shared/polling/limits';
import { stateGraph } from '../support/graph';
import { definitionOf, useSynthesizedApp } from '../support/synth';

/**
 * The workflow's graph (states, their types, every transition, catch and retry) is pinned per trigger
 * in test/fixtures: a reshaping of the CDK code must give the same graph. A change of behaviour
 * updates the fixture on purpose, in the same commit, where a reviewer sees the edges that moved.
 */
function expectedGraph(trigger: string): string[] {
  const file = path.resolve(__dirname, '..', 'fixtures', `state-graph.${trigger}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as string[];
}

describe('state machine graph', () => {
  const quiet = useSynthesizedApp({ trigger: 'quiet' });
  const marker = useSynthesizedApp({ trigger: 'marker' });

  it('quiet trigger: states and transitions are the pinned ones', () => {
    expect(stateGraph(definitionOf(quiet()) as never)).toEqual(expectedGraph('quiet'));
  });

  it('marker trigger: states and transitions are the pinned ones', () => {
    expect(stateGraph(definitionOf(marker()) as never)).toEqual(expectedGraph('marker'));
  });
});

describe('backfill state machine', () => {
  const app = useSynthesizedApp();

  it('begins, then loops list → next (→ pause → list) until it continues as new or is done', () => {
    const definition = definitionOf(app(), 'Backfill');
    const graph = stateGraph(definition as never);
    expect(graph).toEqual(
      expect.arrayContaining([
        'start --> BeginBackfill',
        'BeginBackfill --next--> BackfillNext',
        'BackfillNext --when {"Variable":"$.step.value.next","StringEquals":"list"}--> ListAndClaim',
        'BackfillNext --when {"Variable":"$.step.value.next","StringEquals":"wait"}--> WaitForFoldersInFlight',
        'BackfillNext --when {"Variable":"$.step.value.next","StringEquals":"continue"}--> ContinueAsNewExecution',
        'BackfillNext --default--> BackfillDone',
        'ListAndClaim --next--> BackfillNext',
        'WaitForFoldersInFlight --next--> ListAndClaim',
        'ContinueAsNewExecution --next--> BackfillContinued',
        'ContinueAsNewExecution --catch StepFunctions.ExecutionAlreadyExistsException--> BackfillContinued',
      ]),
    );
    // A refused start (BackfillAlreadyRunning) or a bad prefix is not caught: the execution fails with it.
    expect(graph.filter((line) => line.startsWith('BeginBackfill --catch'))).toEqual([]);
    for (const end of ['BackfillDone', 'BackfillContinued']) {
      expect(definition.States[end]).toMatchObject({ Type: 'Succeed', OutputPath: '$.step.value.output' });
    }
  });

  it('continues as a new execution of itself, named by the function, with its own ARN from the context object', () => {
    const { States } = definitionOf(app(), 'Backfill');
    expect(States.ContinueAsNewExecution).toMatchObject({
      Resource: 'arn:INTRINSIC:states:::states:startExecution',
      Parameters: {
        'StateMachineArn.$': '$$.StateMachine.Id',
        'Name.$': '$.step.value.successor.name',
        Input: {
          'prefix.$': '$.step.value.successor.input.prefix',
          'resume.$': '$.step.value.successor.input.resume',
          'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
        },
      },
    });
  });

  it('times out and fills its history only as its bounds allow', () => {
    const definition = definitionOf(app(), 'Backfill') as unknown as Parameters<typeof backfillBudget>[0] & {
      TimeoutSeconds: number;
    };
    for (const [name, state] of Object.entries(definition.States)) {
      if (state.Type === 'Task') expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
    }
    const budget = backfillBudget(definition, BACKFILL_BOUNDS);
    expect(definition.TimeoutSeconds).toBe(budget.timeoutSeconds);
    // Below what a timer can hold (the local runtime's), and far below a year.
    expect(definition.TimeoutSeconds * 1000).toBeLessThan(2 ** 31);
    expect(budget.worstHistoryEvents).toBeLessThan(HISTORY_EVENT_LIMIT / 2);
  });
});
