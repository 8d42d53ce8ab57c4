import type { Command } from 'commander';
import { isRetryable } from '../../lambdas/shared/record/folder-record';
import { readRecord } from '../../lambdas/shared/record/record-query';
import type { Act, RunContext } from '../context';
import { EXIT, type ExitCode } from '../exit';
import { fixFor } from '../fixes';
import { readOverview } from '../overview';
import { folderUriFrom, textOf } from '../record-view';
import { folderLines, overviewLines, type ViewStyle } from '../views';

export interface StatusOptions {
  json?: boolean;
}

/** `vl-ingest status [folder]`. */
export function registerStatus(program: Command, act: Act): void {
  program
    .command('status')
    .summary('one folder in full, or a summary of all')
    .argument(
      '[folder]',
      's3://bucket/folder/, or a folder of the stack\'s bucket ("Line 3 cameras/night 1")',
    )
    .description(
      'One folder in full (its record, generations, last error with the fix the docs give for its code, the dataset link), or a summary of all: counts by status, datasets in flight with progress bars, folders waiting for a slot, the newest failures.',
    )
    .option('--json', 'print JSON: {record, fix} for a folder; the summary as an object')
    .addHelpText(
      'after',
      `
Exit status: 0; for a folder, 1 when it has no record or its last attempt ended ERROR, TIMED_OUT or FAILED.

Examples:
  vl-ingest status
  vl-ingest status "s3://acme-vision-drops/Line 3 cameras/"
  vl-ingest status "Line 3 cameras" --json`,
    )
    .action((folder: string | undefined, options: StatusOptions, command: Command) =>
      act(command, (ctx) => (folder ? folderStatus(ctx, folder, options) : summary(ctx, options))),
    );
}

/** The style views are drawn with in this run. */
export function styleOf(ctx: RunContext): ViewStyle {
  // A pipe or a file gets long lines: they are for grep, not for a screen.
  return { c: ctx.colors, now: ctx.now(), width: Math.max(60, (ctx.io.stdout.columns ?? 200) - 10) };
}

export async function folderStatus(
  ctx: RunContext,
  folder: string,
  options: StatusOptions,
): Promise<ExitCode> {
  const deployment = await ctx.deployment();
  const folderUri = folderUriFrom(folder, deployment.bucket);
  const record = await readRecord(ctx.aws.dynamodb(), deployment.recordsTable, folderUri);
  if (!record) {
    if (options.json) ctx.json({ record: null, folderUri });
    else
      ctx.io.stderr.write(
        `no record for ${folderUri}: nothing from this folder has been ingested (is it under the stack's prefix, deep enough, and holding media?)\n`,
      );
    return EXIT.problem;
  }
  const code = (record.error as { code?: string } | undefined)?.code;
  if (options.json) ctx.json({ record, fix: fixFor(code, folderUri) ?? null });
  else ctx.print(folderLines(record, styleOf(ctx)));
  return isRetryable(textOf(record, 'status')) ? EXIT.problem : EXIT.ok;
}

async function summary(ctx: RunContext, options: StatusOptions): Promise<ExitCode> {
  const overview = await readOverview(ctx);
  if (options.json) {
    ctx.json(overview);
    return EXIT.ok;
  }
  ctx.print(overviewLines(overview, styleOf(ctx), 'failures'));
  return EXIT.ok;
}
