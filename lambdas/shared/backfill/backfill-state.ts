/**
 * The backfill's state between its steps, and the rules that are pure: which prefix a run covers,
 * what the next step is, what a continued execution starts with, and what an execution outputs.
 */

import { createHash } from 'node:crypto';
import { InvalidInputError, PipelineError } from '../errors';

/** What a backfill counts, over its whole run (every execution of it). */
export interface BackfillTotals {
  /** Keys the listing returned and the backfill went through (media or not). */
  keysListed: number;
  /** Objects new to the object ledger (an object it already had is not recorded again). */
  objectsRecorded: number;
  /** Folders whose execution the backfill started: a dataset attempt, or an append batch of a READY folder. */
  foldersStarted: number;
  /** Listing calls made. */
  pages: number;
}

/** One backfill run: its id (names its executions), when it began, and which execution of it this is (1, 2, …). */
export interface BackfillRun {
  id: string;
  startedAt: string;
  part: number;
}

/** What an execution continued from the last one starts from. */
export interface BackfillResume {
  run: BackfillRun;
  /** The last key the run went through; the listing goes on after it. */
  startAfter?: string;
  totals: BackfillTotals;
}

/** The execution's input: `{}`, `{"prefix": "<key prefix>"}`, or (continue-as-new) with `resume`. */
export interface BackfillInput {
  prefix?: unknown;
  resume?: BackfillResume;
}

/** What the state machine does next. */
export type BackfillNext = 'list' | 'wait' | 'continue' | 'done';

/** The state the steps hand each other (`$.step.value`). */
export interface BackfillState {
  next: BackfillNext;
  /** The key prefix the run lists (the stack's prefix, or a longer one under it). */
  prefix: string;
  run: BackfillRun;
  startAfter?: string;
  totals: BackfillTotals;
  /** Steps this execution has made (a pause counts): it continues as a new execution at its bound. */
  steps: number;
  /** `wait`: how long to pause before listing on (too many folders in flight). */
  waitSeconds?: number;
  /** `continue`: the next execution's name and input. */
  successor?: { name: string; input: BackfillInput };
  /** `continue` and `done`: what this execution outputs. */
  output?: BackfillOutput;
}

/** An execution's output. */
export interface BackfillOutput extends BackfillTotals {
  prefix: string;
  /** `DONE`: the run listed everything; `CONTINUED`: it goes on in `continuedAs`. */
  status: 'DONE' | 'CONTINUED';
  /** When the run began (its first execution). */
  startedAt: string;
  /** Executions the run has had so far, this one included. */
  executions: number;
  finishedAt?: string;
  continuedAs?: string;
}

/** A second start for a prefix whose backfill runs: it says which execution runs, and ends. */
export class BackfillAlreadyRunningError extends PipelineError {
  override readonly name = 'BackfillAlreadyRunning';
  readonly retryable = false;
}

/** No totals yet. */
export const NO_TOTALS: BackfillTotals = { keysListed: 0, objectsRecorded: 0, foldersStarted: 0, pages: 0 };

/** Longest key prefix S3 accepts (a key's length). */
const MAX_PREFIX_BYTES = 1024;

/**
 * The key prefix a backfill lists: the stack's `prefix` when none is asked for, or the one asked for,
 * which must lie under it (a full key prefix, as `aws s3 ls` shows keys).
 *
 * @throws InvalidInputError for anything else.
 */
export function backfillPrefix(requested: unknown, configured: string): string {
  if (requested === undefined || requested === null || requested === '') return configured;
  if (typeof requested !== 'string') throw new InvalidInputError('prefix must be a text (a key prefix)');
  if (Buffer.byteLength(requested) > MAX_PREFIX_BYTES)
    throw new InvalidInputError(`prefix is longer than ${MAX_PREFIX_BYTES} bytes`);
  if (!requested.startsWith(configured)) {
    throw new InvalidInputError(
      `prefix "${requested}" is not under the stack's prefix "${configured}": give the full key prefix, ` +
        `such as "${configured}${requested}"`,
    );
  }
  return requested;
}

/** A run's id, from its first execution: names every execution it continues as (at most 80 characters). */
export function runIdOf(firstExecutionArn: string): string {
  return `backfill-${createHash('sha256').update(firstExecutionArn).digest('hex').slice(0, 24)}`;
}

/** The execution a run continues as after `run.part`: its name and input. */
export function successorOf(
  state: Pick<BackfillState, 'prefix' | 'run' | 'startAfter' | 'totals'>,
): BackfillState['successor'] {
  const run = { ...state.run, part: state.run.part + 1 };
  return {
    name: `${run.id}-${run.part}`,
    input: { prefix: state.prefix, resume: { run, startAfter: state.startAfter, totals: state.totals } },
  };
}

/** The output of an execution that ends the run (`DONE`) or hands it on (`CONTINUED`). */
export function outputOf(
  state: Pick<BackfillState, 'prefix' | 'run' | 'totals'>,
  end: { finishedAt: string } | { continuedAs: string },
): BackfillOutput {
  return {
    prefix: state.prefix,
    status: 'continuedAs' in end ? 'CONTINUED' : 'DONE',
    ...state.totals,
    startedAt: state.run.startedAt,
    executions: state.run.part,
    ...end,
  };
}

/** Adds what a step did to the run's totals. */
export function addTotals(a: BackfillTotals, b: Partial<BackfillTotals>): BackfillTotals {
  return {
    keysListed: a.keysListed + (b.keysListed ?? 0),
    objectsRecorded: a.objectsRecorded + (b.objectsRecorded ?? 0),
    foldersStarted: a.foldersStarted + (b.foldersStarted ?? 0),
    pages: a.pages + (b.pages ?? 0),
  };
}

/** The ARN of the state machine an execution belongs to. */
export function stateMachineOf(executionArn: string): string {
  return executionArn.replace(':execution:', ':stateMachine:').split(':').slice(0, -1).join(':');
}
