/**
 * Wait states on the local runtime's clock. aws-local-stepfunctions waits with the system's timers;
 * to let a virtual clock drive them, the local runtime hands it a copy of the definition in which
 * each Wait state is a Task the runtime answers by sleeping on its clock for exactly what the Wait
 * state says (`Seconds`, `Timestamp`, `SecondsPath`, `TimestampPath`), input passed through
 * unchanged. Nothing else of the definition changes; the state keeps its name and transitions.
 */

/** The resource of the tasks that stand for Wait states. */
export const CLOCK_WAIT_RESOURCE = 'arn:aws:states:::local:clockWait';

/** How long a Wait state waits, as its definition says. */
export interface WaitSpec {
  Seconds?: number;
  Timestamp?: string;
  SecondsPath?: string;
  TimestampPath?: string;
}

type StateDef = Record<string, unknown> & { Type: string };
type Definition = { States: Record<string, StateDef>; TimeoutSeconds?: number } & Record<string, unknown>;

/** Longest a task may run on the system's timers: safely below what `setTimeout` can hold (2^31 ms). */
const UNBOUNDED_TASK_SECONDS = 2_000_000;

/**
 * The definition with its Wait states as clock-wait tasks, the Wait specs by state name, and the
 * execution timeout taken out (the runtime keeps it on its own clock).
 */
export function withClockWaits(definition: Definition): {
  definition: Definition;
  waits: Map<string, WaitSpec>;
  timeoutSeconds?: number;
} {
  const waits = new Map<string, WaitSpec>();
  const convert = (states: Record<string, StateDef>): Record<string, StateDef> =>
    Object.fromEntries(
      Object.entries(states).map(([name, state]) => {
        const branches = state.Branches as { States: Record<string, StateDef> }[] | undefined;
        if (branches) {
          return [name, { ...state, Branches: branches.map((b) => ({ ...b, States: convert(b.States) })) }];
        }
        if (state.Type !== 'Wait') return [name, state];
        const { Type: _wait, Seconds, Timestamp, SecondsPath, TimestampPath, ...rest } = state;
        waits.set(name, { Seconds, Timestamp, SecondsPath, TimestampPath } as WaitSpec);
        return [
          name,
          {
            ...rest,
            Type: 'Task',
            Resource: CLOCK_WAIT_RESOURCE,
            ResultPath: null,
            TimeoutSeconds: UNBOUNDED_TASK_SECONDS,
          },
        ];
      }),
    );
  const { TimeoutSeconds, ...rest } = definition;
  return {
    definition: { ...rest, States: convert(definition.States) } as Definition,
    waits,
    timeoutSeconds: TimeoutSeconds,
  };
}

/** Milliseconds a Wait state waits for this input, at this time. */
export function waitMilliseconds(spec: WaitSpec, input: unknown, nowMs: number): number {
  if (spec.Seconds !== undefined) return spec.Seconds * 1000;
  if (spec.SecondsPath !== undefined) return Number(valueAt(input, spec.SecondsPath)) * 1000;
  const timestamp = spec.Timestamp ?? String(valueAt(input, spec.TimestampPath ?? '$'));
  return Math.max(0, Date.parse(timestamp) - nowMs);
}

/**
 * The value at a reference path made of plain field names (`$.poll.value.nextWaitSeconds`), the
 * only kind the workflow's Wait states use.
 * @throws Error for any other path, or when a field is missing (Step Functions fails the state too).
 */
export function valueAt(input: unknown, path: string): unknown {
  if (!/^\$(\.[A-Za-z0-9_]+)*$/.test(path))
    throw new Error(`the local runtime reads only plain paths, not ${path}`);
  let value: unknown = input;
  for (const field of path.split('.').slice(1)) {
    if (value === null || typeof value !== 'object' || !(field in value)) {
      throw new Error(`States.Runtime: the path ${path} does not exist in the state's input`);
    }
    value = (value as Record<string, unknown>)[field];
  }
  return value;
}
