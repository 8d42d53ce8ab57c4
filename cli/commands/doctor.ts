import type { Command } from 'commander';
import {
  bucketEventsCheck,
  bucketRegionCheck,
  type Check,
  type CheckStatus,
  deadLetterCheck,
  readRoleCheck,
  ruleCheck,
  stackCheck,
  stateMachineCheck,
  tableCheck,
} from '../checks';
import type { Act, RunContext } from '../context';
import { EXIT, type ExitCode, ProblemError } from '../exit';
import type { Colors } from '../format';
import { visualLayerChecks } from '../vl-checks';

interface DoctorOptions {
  json?: boolean;
}

/** `vl-ingest doctor`. */
export function registerDoctor(program: Command, act: Act): void {
  program
    .command('doctor')
    .summary('check a deployment without ingesting anything')
    .description(
      "Checks a deployment without ingesting anything, one line per check with ✓ or ✗ and the fix: the stack, its records table and state machine; Visual Layer answers, the secret holds usable credentials and Visual Layer accepts a token minted from them (it lists datasets; the token is never shown); the bucket sends EventBridge events and is in the stack's region; the rule is enabled; Visual Layer's read role exists (and has been used, as far as can be told); the dead-letter queue is empty.",
    )
    .option('--json', 'print the checks as JSON')
    .addHelpText(
      'after',
      `
Marks: ✓ passed, ✗ failed (with the fix), ! passed with a caution, ? could not be checked (the service
could not be asked, or you may not call it: never counted as passed), - does not apply.
Exit status: 1 when any check failed, otherwise 0.`,
    )
    .action((options: DoctorOptions, command: Command) => act(command, (ctx) => doctor(ctx, options)));
}

async function doctor(ctx: RunContext, options: DoctorOptions): Promise<ExitCode> {
  let checks: Check[];
  let title: string;
  try {
    const d = await ctx.deployment();
    title = `${d.stackName} (${d.source})`;
    checks = [
      await stackCheck(ctx, d),
      await tableCheck(ctx, d),
      await stateMachineCheck(ctx, d),
      ...(await visualLayerChecks(ctx, d)),
      await bucketEventsCheck(ctx, d),
      await bucketRegionCheck(ctx, d),
      await ruleCheck(ctx, d),
      await readRoleCheck(ctx, d),
      await deadLetterCheck(ctx, d),
    ];
  } catch (error) {
    if (!(error instanceof ProblemError)) throw error;
    title = ctx.options.stackName ?? ctx.options.outputsFile ?? 'the deployment';
    checks = [{ name: 'stack', status: 'fail', detail: error.message }];
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  if (options.json) ctx.json({ deployment: title, checks, failed });
  else ctx.print(report(title, checks, ctx.colors));
  return failed > 0 ? EXIT.problem : EXIT.ok;
}

const MARKS: Record<CheckStatus, (c: Colors) => string> = {
  pass: (c) => c.green('✓'),
  fail: (c) => c.red('✗'),
  warn: (c) => c.yellow('!'),
  unknown: (c) => c.yellow('?'),
  skip: (c) => c.dim('-'),
};

function report(title: string, checks: Check[], c: Colors): string[] {
  const width = Math.max(...checks.map((check) => check.name.length));
  const lines = [`Checking ${title}`];
  for (const check of checks) {
    lines.push(`  ${MARKS[check.status](c)} ${check.name.padEnd(width)}  ${check.detail}`);
    if (check.fix) lines.push(`    ${' '.repeat(width)}  ${c.cyan('fix:')} ${check.fix}`);
  }
  const count = (status: CheckStatus) => checks.filter((check) => check.status === status).length;
  const unknown = count('unknown');
  lines.push(
    '',
    `${count('pass') + count('warn')} passed, ${count('fail')} failed${unknown ? `, ${unknown} could not be checked` : ''}.`,
  );
  return lines;
}
