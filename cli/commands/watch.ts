import { type Command, InvalidArgumentError } from 'commander';
import { isUnfinished } from '../../lambdas/shared/record/reconcile';
import { readRecord } from '../../lambdas/shared/record/record-query';
import type { Act, RunContext } from '../context';
import { EXIT, type ExitCode } from '../exit';
import { readOverview } from '../overview';
import { APPENDS_IN_FLIGHT, appendOf, folderUriFrom, textOf } from '../record-view';
import { folderLines, overviewLines } from '../views';
import { styleOf } from './status';

interface WatchOptions {
  interval: number;
  once?: boolean;
  json?: boolean;
}

/** Clears a terminal and puts the cursor at its top. */
const CLEAR = '\x1b[2J\x1b[H';

/** `vl-ingest watch [folder]`. */
export function registerWatch(program: Command, act: Act): void {
  program
    .command('watch')
    .summary('a live view of the pipeline, or of one folder')
    .argument('[folder]', 'watch one folder (s3://bucket/folder/ or a folder of the bucket) until it ends')
    .description(
      'A live view, redrawn until Ctrl-C: datasets in flight with progress bars, folders collecting or waiting for a slot, appends, recent outcomes with links. With a folder: that folder, until its attempt ends.',
    )
    .option('--interval <seconds>', 'seconds between refreshes', parseInterval, 5)
    .option('--once', 'draw once and exit')
    .option('--json', 'print each refresh as one line of JSON')
    .addHelpText(
      'after',
      `
Exit status: 0; with a folder, 1 when its attempt ends ERROR, TIMED_OUT or FAILED (or it has no record).`,
    )
    .action((folder: string | undefined, options: WatchOptions, command: Command) =>
      act(command, (ctx) => watch(ctx, folder, options)),
    );
}

async function watch(ctx: RunContext, folder: string | undefined, options: WatchOptions): Promise<ExitCode> {
  const deployment = await ctx.deployment();
  const folderUri = folder ? folderUriFrom(folder, deployment.bucket) : undefined;
  const terminal = ctx.io.stdout.isTTY === true && !options.json;
  for (;;) {
    const frame = folderUri ? await folderFrame(ctx, folderUri) : await overviewFrame(ctx);
    if (options.json) ctx.io.stdout.write(`${JSON.stringify(frame.json)}\n`);
    else {
      const footer =
        frame.done || options.once
          ? []
          : ['', ctx.colors.dim(`refreshing every ${options.interval}s · Ctrl-C to stop`)];
      ctx.io.stdout.write(terminal ? CLEAR : ctx.colors.dim(`— ${ctx.now().toISOString()}\n`));
      ctx.print([...frame.lines, ...footer]);
    }
    if (frame.done || options.once) return frame.exit;
    await ctx.sleep(options.interval * 1000);
    if (ctx.interrupted) return EXIT.ok;
  }
}

interface Frame {
  lines: string[];
  json: unknown;
  /** A watched folder whose attempt has ended: the watch ends. */
  done: boolean;
  exit: ExitCode;
}

async function overviewFrame(ctx: RunContext): Promise<Frame> {
  const overview = await readOverview(ctx);
  const lines = overviewLines(overview, styleOf(ctx), 'recent');
  return { lines, json: overview, done: false, exit: EXIT.ok };
}

async function folderFrame(ctx: RunContext, folderUri: string): Promise<Frame> {
  const deployment = await ctx.deployment();
  const record = await readRecord(ctx.aws.dynamodb(), deployment.recordsTable, folderUri);
  if (!record) {
    const line = `no record for ${folderUri} yet`;
    return { lines: [line], json: { folderUri, record: null }, done: false, exit: EXIT.problem };
  }
  const status = textOf(record, 'status');
  const appending = APPENDS_IN_FLIGHT.includes(appendOf(record)?.status ?? '');
  const done = !isUnfinished(status) && !appending;
  const failed = status !== 'READY';
  return {
    lines: folderLines(record, styleOf(ctx)),
    json: { record },
    done,
    exit: done && failed ? EXIT.problem : EXIT.ok,
  };
}

function parseInterval(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1)
    throw new InvalidArgumentError('give a number of seconds of at least 0.1');
  return n;
}
