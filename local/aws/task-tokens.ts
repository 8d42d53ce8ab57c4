import { randomUUID } from 'node:crypto';
import { valueAt } from './clock-waits';
import type { LocalClock } from './virtual-clock';

/**
 * `.waitForTaskToken` tasks on the local runtime: `$$.Task.Token`, the wait for `SendTaskSuccess` or
 * `SendTaskFailure`, and the task's timeout on the runtime's clock.
 */

/** `SendTaskSuccess`/`SendTaskFailure` for a token whose task no longer waits (it ended, timed out or was stopped). */
export class TaskTimedOutError extends Error {
  override readonly name = 'TaskTimedOut';
}

/** A token Step Functions never issued. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidToken';
}

/** A task that failed as `SendTaskFailure` said: its error name and cause. */
class TaskFailure extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

/** The task's timeout, as Step Functions raises it: Catch rules match `States.Timeout`. */
class TaskTimeout extends Error {
  override readonly name = 'States.Timeout';
}

interface Pending {
  executionArn: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

/** Key under which a token task's rewritten Parameters keep the state's raw input. */
const RAW_INPUT = 'localRawInput';
const PARAMETERS = 'localParameters';

/** How long a token task may wait, as its definition says. */
export interface TokenTimeout {
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
}

type StateDef = Record<string, unknown> & { Type: string; Resource?: string };

/** Longest a task may run on the system's timers: safely below what `setTimeout` can hold. */
const UNBOUNDED_TASK_SECONDS = 2_000_000;

/**
 * The states with their `.waitForTaskToken` tasks made ready for the local runtime: the timeout comes
 * out (the runtime keeps it, reading `TimeoutSecondsPath` from the state's raw input as Step Functions
 * does), and the Parameters are wrapped so the handler gets that raw input next to them.
 */
export function withLocalTokenTasks(states: Record<string, StateDef>): {
  states: Record<string, StateDef>;
  timeouts: Map<string, TokenTimeout>;
} {
  const timeouts = new Map<string, TokenTimeout>();
  const converted = Object.fromEntries(
    Object.entries(states).map(([name, state]) => {
      if (state.Type !== 'Task' || !String(state.Resource).endsWith('.waitForTaskToken'))
        return [name, state];
      const { TimeoutSeconds, TimeoutSecondsPath, Parameters, ...rest } = state;
      timeouts.set(name, { TimeoutSeconds, TimeoutSecondsPath } as TokenTimeout);
      return [
        name,
        {
          ...rest,
          Parameters: { [`${RAW_INPUT}.$`]: '$', [PARAMETERS]: Parameters ?? {} },
          TimeoutSeconds: UNBOUNDED_TASK_SECONDS,
        },
      ];
    }),
  );
  return { states: converted, timeouts };
}

/** Every task token the local Step Functions issued, and the tasks waiting for theirs. */
export class TaskTokens {
  private readonly issued = new Set<string>();
  private readonly pending = new Map<string, Pending>();
  private readonly lastIssued = new Map<string, string>();

  /** `$$.Task.Token` for the execution's current task. */
  issue(executionArn: string): string {
    const token = Buffer.from(`${executionArn}#${randomUUID()}`).toString('base64url');
    this.issued.add(token);
    this.lastIssued.set(executionArn, token);
    return token;
  }

  /**
   * Runs a token task: `invoke` gets the task's Parameters (the token among them); the task then
   * waits for its token — at most its timeout on `clock`, after which it fails with `States.Timeout`.
   */
  async run(
    executionArn: string,
    input: unknown,
    timeout: TokenTimeout,
    clock: LocalClock,
    invoke: (parameters: unknown) => Promise<unknown>,
  ): Promise<unknown> {
    const token = this.lastIssued.get(executionArn);
    if (!token) throw new Error('a .waitForTaskToken task that never read $$.Task.Token');
    const wrapped = input as Record<string, unknown>;
    const seconds = timeout.TimeoutSecondsPath
      ? Number(valueAt(wrapped[RAW_INPUT], timeout.TimeoutSecondsPath))
      : timeout.TimeoutSeconds;
    const answered = new Promise<unknown>((resolve, reject) =>
      this.pending.set(token, { executionArn, resolve, reject }),
    );
    // Answered (or expired) while the task's own call still runs: not an unhandled rejection.
    answered.catch(() => undefined);
    const done = new AbortController();
    try {
      await invoke(wrapped[PARAMETERS]);
      const timedOut = seconds
        ? clock.sleep(seconds * 1000, done.signal).then(() => {
            if (done.signal.aborted) return new Promise<never>(() => undefined);
            this.pending.delete(token);
            throw new TaskTimeout(`the task waited ${seconds} s for its token`);
          })
        : new Promise<never>(() => undefined);
      return await Promise.race([answered, timedOut]);
    } finally {
      done.abort();
      this.pending.delete(token);
    }
  }

  /** `SendTaskSuccess`. */
  succeed(token: string, output: string): void {
    this.take(token).resolve(JSON.parse(output));
  }

  /** `SendTaskFailure`. */
  fail(token: string, error = 'States.TaskFailed', cause = ''): void {
    this.take(token).reject(new TaskFailure(error, cause));
  }

  /** The execution ended or was stopped: its waiting task stops waiting, its tokens answer TaskTimedOut. */
  expire(executionArn: string): void {
    for (const [token, pending] of this.pending) {
      if (pending.executionArn !== executionArn) continue;
      this.pending.delete(token);
      pending.reject(new TaskTimedOutError('the execution ended'));
    }
    this.lastIssued.delete(executionArn);
  }

  private take(token: string): Pending {
    const pending = this.pending.get(token);
    if (pending) {
      this.pending.delete(token);
      return pending;
    }
    if (this.issued.has(token))
      throw new TaskTimedOutError('Task Timed Out: the task no longer waits for this token');
    throw new InvalidTokenError('Invalid Token');
  }
}
