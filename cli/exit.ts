/** Exit codes: 0 all is well, 1 a problem was found (or an AWS call failed), 2 the command was misused. */
export const EXIT = { ok: 0, problem: 1, usage: 2 } as const;
/** One of {@link EXIT}. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command was given something it cannot use: exit 2 with this message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A problem the command found and explains (no record, a stack without outputs): exit 1 with this message. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
}
