/** A state of an ASL definition, as far as its graph is concerned. */
interface GraphState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string; [condition: string]: unknown }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
  Iterator?: { States: Record<string, GraphState> };
  ItemProcessor?: { States: Record<string, GraphState> };
  Branches?: { States: Record<string, GraphState> }[];
}

/**
 * The graph of a state machine definition: every state with its type, and every transition as
 * `from --how--> to` (Next, each Choice rule with its condition, Default, each Catch with its
 * errors, each Retry's errors). Sorted, so two definitions with the same graph give the same list
 * whatever the order of their states. Parameters, timeouts and paths are left out on purpose.
 */
export function stateGraph(definition: { StartAt: string; States: Record<string, GraphState> }): string[] {
  const lines = [`start --> ${definition.StartAt}`];
  const visit = (states: Record<string, GraphState>) => {
    for (const [name, state] of Object.entries(states)) {
      lines.push(`${name} : ${state.Type}`);
      if (state.Next) lines.push(`${name} --next--> ${state.Next}`);
      if (state.Default) lines.push(`${name} --default--> ${state.Default}`);
      for (const { Next, ...condition } of state.Choices ?? []) {
        lines.push(`${name} --when ${JSON.stringify(condition)}--> ${Next}`);
      }
      for (const c of state.Catch ?? [])
        lines.push(`${name} --catch ${c.ErrorEquals.join('|')}--> ${c.Next}`);
      for (const r of state.Retry ?? []) lines.push(`${name} --retry ${r.ErrorEquals.join('|')}`);
      for (const inner of [state.Iterator, state.ItemProcessor, ...(state.Branches ?? [])]) {
        if (inner) visit(inner.States);
      }
    }
  };
  visit(definition.States);
  return lines.sort();
}
