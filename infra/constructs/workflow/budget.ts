import { LISTING_WINDOW_SECONDS } from '../../../lambdas/shared/polling/limits';
import { WORKFLOW_LOOPS, type WorkflowLoop } from './workflow-loops';

/**
 * What an execution may cost, derived from the rendered definition and the loops that can run in it:
 * the worst number of history events (Step Functions fails an execution at 25,000) and the longest
 * it may take (the state machine's timeout). Synth fails when the history does not fit.
 */

/** A state of a rendered definition, as far as the budget reads it. */
export interface BudgetState {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { Next: string }[];
  Retry?: {
    MaxAttempts?: number;
    IntervalSeconds?: number;
    BackoffRate?: number;
    MaxDelaySeconds?: number;
  }[];
  TimeoutSeconds?: number;
}

/** History events a state writes each time it runs: a Task 5 (entered, scheduled, started, ended, exited), others 2. */
export function stateEvents(state: BudgetState | undefined): number {
  return state?.Type === 'Task' ? 5 : 2;
}

/** History events of every state run once and every retry made once (three events each). */
export function historyOnce(states: Record<string, BudgetState>): number {
  const once = Object.values(states).reduce((n, s) => n + stateEvents(s), 0);
  const retries = Object.values(states)
    .flatMap((s) => s.Retry ?? [])
    .reduce((n, r) => n + 3 * (r.MaxAttempts ?? 3), 0);
  return once + retries;
}

/** The budget of a definition. */
export interface WorkflowBudget {
  /**
   * History events of the worst execution: every state once, every retry once, every loop of its
   * kind (a folder's attempt, an append batch, a marker's listing) at its bound.
   */
  worstHistoryEvents: number;
  loops: { name: string; eventsPerRound: number; rounds: number; execution: WorkflowLoop['execution'] }[];
  /** The longest stretch between two waits (or before the first), at the worst of every task's timeout and retries. */
  longestStretchSeconds: number;
  /** The state machine's timeout: every window, each overrun by one stretch, plus one before the first. */
  timeoutSeconds: number;
}

/**
 * Derives the budget of a rendered definition. `windowsSeconds` are the spans the loops wait within:
 * the settle cap (quiet trigger) and the attempt's deadline (`maxWaitMinutes`), which bounds the gate
 * wait, the waits before a create and the status checks alike.
 */
export function workflowBudget(
  definition: { States: Record<string, BudgetState> },
  windowsSeconds: number[],
): WorkflowBudget {
  const states = definition.States;
  const onceAndRetries = historyOnce(states);
  const loops = WORKFLOW_LOOPS.flatMap((loop) => {
    // A loop runs along those of its paths whose states are all in this definition.
    const present = loop.paths.filter((path) => path.every((name) => name in states));
    if (present.length === 0) return [];
    const events = present.map((path) => path.reduce((n, name) => n + stateEvents(states[name]), 0));
    return [
      {
        name: loop.name,
        eventsPerRound: Math.max(...events),
        rounds: loop.rounds,
        execution: loop.execution,
      },
    ];
  });
  const worstOf = (execution: WorkflowLoop['execution']) =>
    loops
      .filter((l) => l.execution === execution)
      .reduce((n, l) => n + l.eventsPerRound * l.rounds, onceAndRetries);
  const worstHistoryEvents = Math.max(worstOf('folder'), worstOf('batch'), worstOf('listing'));
  const longestStretchSeconds = longestStretch(states);
  const windows = windowsSeconds.reduce((a, b) => a + b, 0);
  // A marker's listing runs in an execution of its own, within its own window (the function stops it there).
  const listing = loops.some((l) => l.execution === 'listing')
    ? LISTING_WINDOW_SECONDS + 2 * longestStretchSeconds
    : 0;
  const timeoutSeconds = Math.ceil(
    Math.max(windows + (windowsSeconds.length + 1) * longestStretchSeconds, listing),
  );
  return { worstHistoryEvents, loops, longestStretchSeconds, timeoutSeconds };
}

/** A Wait state, or a task parked until someone sends its token: time spent there belongs to a window. */
function waits(state: BudgetState): boolean {
  return state.Type === 'Wait' || (state.Resource ?? '').endsWith('.waitForTaskToken');
}

/** The worst a Task may take: every attempt its retriers allow at its timeout, plus their pauses. */
export function worstTaskSeconds(name: string, state: BudgetState): number {
  if (state.Type !== 'Task') return 0;
  if (!state.TimeoutSeconds) throw new Error(`the task ${name} has no TimeoutSeconds`);
  let seconds = state.TimeoutSeconds;
  for (const retry of state.Retry ?? []) {
    for (let n = 0; n < (retry.MaxAttempts ?? 3); n += 1) {
      const pause = (retry.IntervalSeconds ?? 1) * (retry.BackoffRate ?? 2) ** n;
      seconds += state.TimeoutSeconds + Math.min(pause, retry.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
    }
  }
  return seconds;
}

/** The longest path of worst task times that passes no wait, from the start or from any wait. */
function longestStretch(states: Record<string, BudgetState>): number {
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const from = (name: string): number => {
    const state = states[name];
    if (!state || waits(state)) return 0;
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new Error(`the workflow loops through ${name} without waiting`);
    visiting.add(name);
    const next = [state.Next, state.Default, ...(state.Choices ?? []), ...(state.Catch ?? [])]
      .map((n) => (typeof n === 'string' ? n : n?.Next))
      .filter((n): n is string => typeof n === 'string');
    const seconds = worstTaskSeconds(name, state) + Math.max(0, ...next.map(from));
    visiting.delete(name);
    memo.set(name, seconds);
    return seconds;
  };
  // Every state is where some stretch may start or pass: the start, or the state after a wait.
  return Math.max(...Object.keys(states).map(from));
}
