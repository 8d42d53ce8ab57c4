import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Command } from 'commander';
import { OUTPUTS } from '../../infra/outputs';
import { FolderRetry, type RetryOutcome } from '../../lambdas/shared/ledger/folder-retry';
import { readRecord } from '../../lambdas/shared/record/record-query';
import { objectCreatedEvent } from '../../lambdas/shared/s3/object-event';
import type { Act, RunContext } from '../context';
import type { Deployment } from '../deployment';
import { EXIT, type ExitCode, ProblemError } from '../exit';
import { quoted } from '../fixes';
import { folderUriFrom, splitFolderUri, textOf } from '../record-view';

interface RetryOptions {
  json?: boolean;
}

/** `vl-ingest retry <folder>`. */
export function registerRetry(program: Command, act: Act): void {
  program
    .command('retry')
    .summary('a new attempt for a folder that ended ERROR, TIMED_OUT or FAILED')
    .argument('<folder>', "s3://bucket/folder/, or a folder of the stack's bucket")
    .description(
      'A new attempt for a folder whose last attempt ended ERROR, TIMED_OUT or FAILED, opened the way the pipeline opens one for a new object: the record keeps the last outcome (lastStatus, lastError, lastDatasetId) and a new execution starts. A folder that is READY, or still at work, is refused with the reason: vl-ingest never makes a second dataset for a folder.',
    )
    .option('--json', 'print the outcome as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 when the attempt started, 1 when the folder cannot be retried now (the reason is printed).

Example:
  vl-ingest retry "s3://acme-vision-drops/Line 3 cameras/" && vl-ingest watch "s3://acme-vision-drops/Line 3 cameras/"`,
    )
    .action((folder: string, options: RetryOptions, command: Command) =>
      act(command, (ctx) => retry(ctx, folder, options)),
    );
}

async function retry(ctx: RunContext, folder: string, options: RetryOptions): Promise<ExitCode> {
  const deployment = await ctx.deployment();
  const folderUri = folderUriFrom(folder, deployment.bucket);
  const retrier = new FolderRetry(await ctx.pipeline());
  const outcome =
    deployment.trigger === 'quiet'
      ? await retryQuiet(ctx, deployment, retrier, folderUri)
      : await retryMarker(ctx, deployment, retrier, folderUri);
  if (options.json) ctx.json({ folderUri, ...outcome });
  else if (outcome.action === 'started') {
    ctx.print([
      `${ctx.colors.green('started')} attempt ${outcome.attempt} of ${folderUri} (the last one ended ${outcome.previousStatus})`,
      `  execution ${outcome.executionArn}`,
      `  follow it: vl-ingest watch ${quoted(folderUri)}`,
    ]);
  } else ctx.io.stderr.write(`${refusal(outcome, folderUri)}\n`);
  return outcome.action === 'started' ? EXIT.ok : EXIT.problem;
}

/** Quiet trigger: the folding function's own re-open and start (see FolderRetry). */
async function retryQuiet(
  ctx: RunContext,
  deployment: Deployment,
  retrier: FolderRetry,
  folderUri: string,
): Promise<RetryOutcome> {
  const { bucket, folderKey } = splitFolderUri(folderUri);
  const record = await readRecord(ctx.aws.dynamodb(), deployment.recordsTable, folderUri);
  const datasetName = (record && textOf(record, 'datasetName')) ?? folderKey.replace(/\/$/, '');
  return retrier.retry({ folderUri, bucket, folderKey, datasetName });
}

/**
 * Marker trigger: an execution started with a new "Object Created" event of the folder's marker, as
 * the rule starts one when the marker is written again. Its sequencer follows the one the record
 * holds, so the state machine's own re-claim opens the attempt (and a replay of it would not).
 */
async function retryMarker(
  ctx: RunContext,
  deployment: Deployment,
  retrier: FolderRetry,
  folderUri: string,
): Promise<RetryOutcome> {
  const markerName = deployment.outputs[OUTPUTS.markerName];
  if (!markerName) {
    throw new ProblemError(
      `the outputs of ${deployment.stackName} do not name its marker (${OUTPUTS.markerName}): update the stack, or write the marker into the folder again`,
    );
  }
  const assessed = await retrier.assess(folderUri);
  if (assessed.action === 'refused') return assessed;
  const record = await readRecord(ctx.aws.dynamodb(), deployment.recordsTable, folderUri);
  const event = markerEvent(deployment, folderUri, markerName, record?.markerSequencer, ctx.now());
  const out = await ctx.aws.sfn().send(
    new StartExecutionCommand({
      stateMachineArn: deployment.stateMachineArn,
      input: JSON.stringify(event),
    }),
  );
  return {
    action: 'started',
    attempt: assessed.decision.attempt,
    executionArn: out.executionArn ?? '',
    previousStatus: assessed.record.status ?? 'UNKNOWN',
  };
}

/**
 * An S3 "Object Created" event of a folder's marker, as EventBridge delivers it, whose sequencer sorts
 * after `previous` (the one the record holds): the state machine re-claims a failed folder only for a
 * newer marker write.
 */
export function markerEvent(
  deployment: Pick<Deployment, 'bucket' | 'region' | 'account'>,
  folderUri: string,
  markerName: string,
  previous: unknown,
  now: Date,
) {
  const { bucket, folderKey } = splitFolderUri(folderUri);
  return objectCreatedEvent({
    bucket,
    key: `${folderKey}${markerName}`,
    size: 0,
    sequencer: `${typeof previous === 'string' ? previous : ''}0`,
    time: now,
    id: randomUUID(),
    account: deployment.account,
    region: deployment.region,
    requester: 'vl-ingest retry',
  });
}

/** Why a folder cannot be retried, and what to do instead. */
function refusal(outcome: Extract<RetryOutcome, { action: 'refused' }>, folderUri: string): string {
  const folder = quoted(folderUri);
  switch (outcome.why) {
    case 'no-record':
      return `${folderUri} has no record: nothing from it has been ingested. Upload a media object into it (or backfill it: vl-ingest backfill --prefix …).`;
    case 'under-way':
      return `${folderUri} is ${outcome.status}: its attempt is under way (collecting objects, or about to create its dataset). Nothing to retry; follow it with vl-ingest watch ${folder}.`;
    case 'ready':
      return `${folderUri} is READY: its dataset exists, and vl-ingest never makes a second dataset for a folder. Nothing to retry.`;
    case 'in-flight':
      return `${folderUri} is ${outcome.status}: execution ${outcome.executionArn ?? '(unnamed)'} is at work on its dataset. Wait for it to end: vl-ingest watch ${folder}.`;
    case 'stale':
      return `${folderUri} is ${outcome.status} but its execution ${outcome.executionArn ?? ''} has ended without recording the outcome: vl-ingest repair --yes finishes its record (as the reconciler would), then retry it.`;
  }
}
