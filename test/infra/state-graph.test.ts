import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
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
