import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type Command, InvalidArgumentError } from 'commander';
import { OUTPUTS } from '../../infra/outputs';
import type { Act, RunContext } from '../context';
import { EXIT, type ExitCode, ProblemError } from '../exit';
import { duration } from '../format';

interface BackfillOptions {
  prefix?: string;
  wait: boolean;
  interval: number;
  json?: boolean;
}

/** The backfill's counts, totals of the whole backfill so far (carried across its continuations). */
export interface BackfillProgress {
  keysListed?: number;
  objectsRecorded?: number;
  foldersStarted?: number;
}

const COUNTS = ['keysListed', 'objectsRecorded', 'foldersStarted'] as const;
/** Output fields naming the execution that goes on with the backfill (continue-as-new), or one already running. */
const NEXT_FIELDS = ['continuedAs', 'nextExecutionArn', 'continuedAsExecutionArn'] as const;
const RUNNING_FIELDS = ['alreadyRunning', 'runningExecutionArn'] as const;

/** `vl-ingest backfill [--prefix P]`. */
export function registerBackfill(program: Command, act: Act): void {
  program
    .command('backfill')
    .summary('ingest what is already in the bucket, and show its progress')
    .description(
      'Starts the backfill state machine (output BackfillStateMachineArn), which feeds the objects already in the bucket through the same path as new ones — a folder without a record gets a dataset, one that has it gets nothing twice — and shows its progress until it is done: keys listed, objects recorded, folders started.',
    )
    .option(
      '--prefix <prefix>',
      "only keys under this full key prefix, which starts with the stack's prefix (prefix=incoming/: 'incoming/line 3/')",
    )
    .option('--no-wait', 'start it and exit')
    .option('--interval <seconds>', 'seconds between progress checks', parseSeconds, 2)
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 when the backfill succeeded (or was started, with --no-wait), 1 when it failed.
Ctrl-C stops watching; the backfill goes on.`,
    )
    .action((options: BackfillOptions, command: Command) => act(command, (ctx) => backfill(ctx, options)));
}

async function backfill(ctx: RunContext, options: BackfillOptions): Promise<ExitCode> {
  const deployment = await ctx.deployment();
  const stateMachineArn = deployment.outputs[OUTPUTS.backfillStateMachine];
  if (!stateMachineArn) {
    throw new ProblemError(
      `${deployment.stackName} has no backfill state machine (no ${OUTPUTS.backfillStateMachine} output): deploy a version of vl-ingest that has one`,
    );
  }
  const input = options.prefix === undefined ? {} : { prefix: options.prefix };
  const sfn = ctx.aws.sfn();
  const started = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
  );
  let executionArn = started.executionArn ?? '';
  const where = `s3://${deployment.bucket}/${options.prefix ?? ''}`;
  if (!options.wait) {
    if (options.json) ctx.json({ executionArn, status: 'RUNNING' });
    else ctx.print([`started the backfill of ${where}: ${executionArn}`]);
    return EXIT.ok;
  }
  const line = new ProgressLine(ctx, where, options.json === true);
  const executions = [executionArn];
  let progress: BackfillProgress = {};
  for (;;) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const output = parseObject(out.output);
    progress = { ...progress, ...countsIn(output), ...(await latestCounts(ctx, executionArn, out)) };
    const next = textIn(output, out.status === 'SUCCEEDED' ? [...NEXT_FIELDS, ...RUNNING_FIELDS] : []);
    if (next && !executions.includes(next)) {
      executions.push(next);
      executionArn = next;
      line.note(`going on as ${next}`);
      continue;
    }
    line.show(String(out.status), progress);
    if (out.status !== 'RUNNING' && out.status !== 'PENDING_REDRIVE') {
      line.end();
      return finish(ctx, options, { executions, status: String(out.status), progress, out });
    }
    await ctx.sleep(options.interval * 1000);
    if (ctx.interrupted) {
      line.end();
      ctx.print([`stopped watching; the backfill goes on: ${executionArn}`]);
      return EXIT.ok;
    }
  }
}

function finish(
  ctx: RunContext,
  options: BackfillOptions,
  ended: {
    executions: string[];
    status: string;
    progress: BackfillProgress;
    out: DescribeExecutionCommandOutput;
  },
): ExitCode {
  const { executions, status, progress, out } = ended;
  const ok = status === 'SUCCEEDED';
  if (options.json) {
    ctx.json({
      status,
      executions,
      ...progress,
      ...(ok ? {} : { error: out.error ?? null, cause: out.cause ?? null }),
    });
  } else {
    const took =
      out.stopDate && out.startDate
        ? ` in ${duration(out.stopDate.getTime() - out.startDate.getTime())}`
        : '';
    const c = ctx.colors;
    ctx.print([
      `${ok ? c.green('backfill done') : c.red(`backfill ${status}`)}${took}: ${describe(progress)} (${executions.length} execution(s))`,
      ...(ok ? [] : [`  ${out.error ?? ''}${out.cause ? `: ${out.cause}` : ''}`]),
    ]);
  }
  return ok ? EXIT.ok : EXIT.problem;
}

/** The counts as a person reads them. */
function describe(p: BackfillProgress): string {
  const n = (v: number | undefined) => (v === undefined ? '?' : v.toLocaleString('en-US'));
  return `${n(p.keysListed)} keys listed, ${n(p.objectsRecorded)} objects recorded, ${n(p.foldersStarted)} folders started`;
}

/** The progress, redrawn in place on a terminal; elsewhere one line each time it changes. */
class ProgressLine {
  private last = '';
  private drawn = false;

  constructor(
    private readonly ctx: RunContext,
    private readonly where: string,
    /** `--json`: only the outcome is printed. */
    private readonly silent: boolean,
  ) {}

  show(status: string, progress: BackfillProgress): void {
    if (this.silent) return;
    const text = `backfill of ${this.where}: ${status} · ${describe(progress)}`;
    if (this.ctx.io.stdout.isTTY) {
      this.ctx.io.stdout.write(`\r\x1b[2K${text}`);
      this.drawn = true;
    } else if (text !== this.last) this.ctx.io.stdout.write(`${text}\n`);
    this.last = text;
  }

  note(text: string): void {
    this.end();
    if (!this.silent) this.ctx.io.stdout.write(`${text}\n`);
  }

  end(): void {
    if (this.drawn) this.ctx.io.stdout.write('\n');
    this.drawn = false;
  }
}

/**
 * The counts of the running execution so far, read from the latest state output in its history that
 * holds them; none when the history says nothing (or cannot be read).
 */
async function latestCounts(
  ctx: RunContext,
  executionArn: string,
  out: DescribeExecutionCommandOutput,
): Promise<BackfillProgress> {
  if (out.status !== 'RUNNING') return {};
  try {
    const history = await ctx.aws
      .sfn()
      .send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 50 }));
    for (const event of history.events ?? []) {
      const output = event.stateExitedEventDetails?.output ?? event.taskSucceededEventDetails?.output;
      const counts = countsIn(parseObject(output));
      if (Object.keys(counts).length > 0) return counts;
    }
  } catch {
    // Progress is a nicety: an execution whose history cannot be read is still followed to its end.
  }
  return {};
}

function countsIn(value: Record<string, unknown> | undefined): BackfillProgress {
  const found: BackfillProgress = {};
  const source =
    value && typeof value.progress === 'object' && value.progress !== null
      ? (value.progress as Record<string, unknown>)
      : value;
  for (const key of COUNTS) {
    const v = source?.[key] ?? value?.[key];
    if (typeof v === 'number') found[key] = v;
  }
  return found;
}

function textIn(value: Record<string, unknown> | undefined, fields: readonly string[]): string | undefined {
  for (const field of fields) {
    const v = value?.[field];
    if (typeof v === 'string' && v.includes(':execution:')) return v;
  }
  return undefined;
}

function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.05)
    throw new InvalidArgumentError('give a number of seconds of at least 0.05');
  return n;
}
