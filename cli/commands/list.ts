import { type Command, InvalidArgumentError } from 'commander';
import { RECORD_STATUSES } from '../../lambdas/shared/record/folder-record';
import type { Act, RunContext } from '../context';
import { EXIT, type ExitCode } from '../exit';
import { clip, statusWord, table } from '../format';
import { StatusReader } from '../overview';
import { errorOf, textOf } from '../record-view';
import { styleOf } from './status';

interface ListOptions {
  status?: string[];
  since?: string;
  limit: number;
  json?: boolean;
}

/** `vl-ingest list [--status S] [--since 7d] [--limit N] [--json]`. */
export function registerList(program: Command, act: Act): void {
  program
    .command('list')
    .summary('folder records, newest first (--status, --since)')
    .description("Folder records, newest first, read through the records table's byStatus index.")
    .option(
      '--status <status>',
      `only these statuses, comma-separated: ${RECORD_STATUSES.join(', ')} (any case)`,
      parseStatuses,
    )
    .option(
      '--since <age>',
      'only records changed in this span (30m, 12h, 7d, 2w) or since an ISO date',
      (value) => parseSince(value, new Date()),
    )
    .option('--limit <n>', 'at most this many records', parseLimit, 50)
    .option('--json', 'print the records as a JSON array, whole')
    .addHelpText(
      'after',
      `
Examples:
  vl-ingest list --status failed,error,timed_out --since 7d
  vl-ingest list --status ready --limit 10 --json`,
    )
    .action((options: ListOptions, command: Command) => act(command, (ctx) => list(ctx, options)));
}

async function list(ctx: RunContext, options: ListOptions): Promise<ExitCode> {
  const deployment = await ctx.deployment();
  const statuses = options.status ?? RECORD_STATUSES;
  const records = await new StatusReader(ctx, deployment).newestRecords(
    statuses,
    options.limit,
    options.since,
  );
  if (options.json) {
    ctx.json(records);
    return EXIT.ok;
  }
  const { c, width = 100 } = styleOf(ctx);
  if (records.length === 0) {
    ctx.print([c.dim('no records')]);
    return EXIT.ok;
  }
  const rows = records.map((record) => {
    const error = errorOf(record);
    const detail = error ? `${error.code}: ${error.message}` : (textOf(record, 'datasetUrl') ?? '');
    return [
      textOf(record, 'updatedAt') ?? '-',
      statusWord(textOf(record, 'status') ?? 'UNKNOWN', c),
      record.folderUri,
      clip(detail, Math.max(30, width - 70)),
    ];
  });
  ctx.print([table(['UPDATED', 'STATUS', 'FOLDER', 'DATASET OR ERROR'], rows, c)]);
  return EXIT.ok;
}

function parseStatuses(value: string, previous: string[] | undefined): string[] {
  const wanted = value
    .split(',')
    .map((s) => s.trim().toUpperCase().replace(/-/g, '_'))
    .filter(Boolean);
  const unknown = wanted.filter((s) => !(RECORD_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new InvalidArgumentError(`statuses are ${RECORD_STATUSES.join(', ')}`);
  }
  return [...new Set([...(previous ?? []), ...wanted])];
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * The instant an age (`30m`, `12h`, `7d`, `2w`) or a date names, as ISO 8601.
 *
 * @throws InvalidArgumentError for anything else.
 */
export function parseSince(value: string, now: Date): string {
  const age = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  if (age) {
    const seconds = Number(age[1]) * (UNITS[(age[2] as string).toLowerCase()] ?? 0);
    return new Date(now.getTime() - seconds * 1000).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value)))
    return new Date(value).toISOString();
  throw new InvalidArgumentError('give an age such as 30m, 12h, 7d or 2w, or an ISO date such as 2026-11-28');
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number of at least 1');
  return n;
}
