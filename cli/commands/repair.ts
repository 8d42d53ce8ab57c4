import type { Command } from 'commander';
import { DatasetGate, stepFunctionsExecutions } from '../../lambdas/shared/gate/gate';
import { GateStore } from '../../lambdas/shared/gate/gate-store';
import {
  type ReconcileOutcome,
  RecordSweeper,
  type SweepFinding,
} from '../../lambdas/shared/record/reconciler';
import type { Act, RunContext } from '../context';
import { type Deployment, gateOf } from '../deployment';
import { EXIT, type ExitCode } from '../exit';
import { clip, table } from '../format';
import { styleOf } from './status';

interface RepairOptions {
  yes?: boolean;
  json?: boolean;
}

/** `vl-ingest repair [--yes]`. */
export function registerRepair(program: Command, act: Act): void {
  program
    .command('repair')
    .summary('finish records left unfinished by executions that no longer run')
    .description(
      "The reconciler's sweep on demand: lists the records left PENDING, CREATING or INDEXING by executions that no longer run (and slots of the gate held by them), and with --yes finishes them as the reconciler does: FAILED with an EXECUTION_… code, each write conditional on the record not having moved on.",
    )
    .option('--yes', 'fix what is found')
    .option('--json', 'print the findings (and what was fixed) as JSON')
    .addHelpText(
      'after',
      `
Exit status: without --yes, 1 when something needs fixing; with --yes, 0 once fixed.
A record is finished only once its execution has ended, or 30 minutes after its claim when it has none
(its start may still be on the way), exactly as the reconciler decides.`,
    )
    .action((options: RepairOptions, command: Command) => act(command, (ctx) => repair(ctx, options)));
}

/** What to say about a finding; no task token or secret is in it. */
function findingJson(f: SweepFinding) {
  const { folderUri, status, executionArn, executionStatus } = f;
  const seen = { folderUri, status, executionArn, executionStatus };
  return f.action === 'finish'
    ? { ...seen, action: 'finish', error: f.error }
    : { ...seen, action: 'leave', reason: f.reason };
}

async function repair(ctx: RunContext, options: RepairOptions): Promise<ExitCode> {
  const deployment = await ctx.deployment();
  const sweeper = new RecordSweeper(await ctx.pipeline());
  const gate = datasetGate(ctx, deployment);
  const findings = await sweeper.survey();
  const stale = (await gate?.stale()) ?? { holders: [], waiters: [] };
  const toFinish = findings.filter((f) => f.action === 'finish');
  const slots = stale.holders.length + stale.waiters.length;
  let fixed: { records: ReconcileOutcome[]; slotsReleased: string[] } | undefined;
  if (options.yes && toFinish.length + slots > 0) {
    fixed = { records: await sweeper.sweep(), slotsReleased: (await gate?.sweep()) ?? [] };
  }
  if (options.json) {
    ctx.json({
      records: findings.map(findingJson),
      gate: {
        staleSlots: stale.holders,
        staleWaiters: stale.waiters.map(({ executionArn, folderUri }) => ({ executionArn, folderUri })),
      },
      ...(fixed ? { fixed } : {}),
    });
  } else printFindings(ctx, findings, stale, fixed, toFinish.length + slots);
  return toFinish.length + slots > 0 && !options.yes ? EXIT.problem : EXIT.ok;
}

function printFindings(
  ctx: RunContext,
  findings: SweepFinding[],
  stale: { holders: string[]; waiters: { executionArn: string; folderUri: string }[] },
  fixed: { records: ReconcileOutcome[]; slotsReleased: string[] } | undefined,
  count: number,
): void {
  const { c, width = 100 } = styleOf(ctx);
  const lines: string[] = [];
  if (findings.length === 0) lines.push('No unfinished records.');
  else {
    const rows = findings.map((f) => [
      f.folderUri,
      f.status ?? '?',
      f.executionStatus ?? '-',
      f.action === 'finish'
        ? c.red(`to finish: FAILED/${f.error.code}`)
        : c.dim(`leave: ${f.reason === 'running' ? 'its execution runs' : f.reason}`),
    ]);
    lines.push(
      `${findings.length} unfinished record(s):`,
      table(['FOLDER', 'STATUS', 'EXECUTION', 'REPAIR'], rows, c),
    );
    for (const f of findings) {
      if (f.action === 'finish') lines.push(c.dim(`  ${f.folderUri}: ${clip(f.error.message, width)}`));
    }
  }
  if (stale.holders.length + stale.waiters.length > 0) {
    lines.push(
      `Gate: ${stale.holders.length} slot(s) held and ${stale.waiters.length} waiting place(s) kept by executions that have ended.`,
    );
  }
  if (fixed) {
    const done = fixed.records.filter((o) => o.action === 'finished');
    lines.push(
      c.green(`Fixed: ${done.length} record(s) finished, ${fixed.slotsReleased.length} slot(s) given back.`),
      ...done.map((o) => `  ${o.folderUri}: FAILED/${o.action === 'finished' ? o.code : ''}`),
    );
  } else if (count > 0) {
    lines.push(`Run vl-ingest repair --yes to fix ${count} finding(s).`);
  } else lines.push(c.green('Nothing to repair.'));
  ctx.print(lines);
}

function datasetGate(ctx: RunContext, deployment: Deployment): DatasetGate | undefined {
  const gate = gateOf(deployment);
  if (!gate) return undefined;
  // Without the number of slots (an older stack), freed slots are handed on by the reconciler's next sweep.
  const store = new GateStore(ctx.aws.dynamodb(), gate.table, gate.slots);
  return new DatasetGate(store, stepFunctionsExecutions(ctx.aws.sfn()));
}
