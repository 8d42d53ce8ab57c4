import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { quoted } from '../cli/fixes';
import { run } from '../cli/main';
import { dropObjects } from './drop';
import { writeOutputsFile } from './outputs';
import { LOCAL_CREDENTIALS, LocalPipeline } from './pipeline';

/**
 * `npm run demo`: the pipeline on this machine with its embedded defaults. Synthesizes the app,
 * uploads a folder of five frames into the local bucket (each S3 event delivered twice, as S3 may),
 * lets the synthesized rule, queue, folding function and state machine run against dynalite and the
 * Visual Layer simulator, and prints the folder's record; then uploads three more frames into the
 * READY folder and shows them join the same dataset (generation 2, one add_media); and ends with
 * `vl-ingest status` of the folder, run against this deployment.
 */
const BUCKET = 'acme-vision-drops';
const FOLDER = 'Line 3 cameras/2026-11-28 (night)/';

/** The demo's one departure from the defaults: a 3 s quiet period instead of 60 s, so it ends quickly. */
const DEMO_CONTEXT = { quietSeconds: '3' };

async function main(): Promise<void> {
  const started = Date.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  say('Synthesizing the app (cdk synth, esbuild bundling)…');
  const objects = [1, 2, 3, 4, 5].map((n) => ({
    key: `${FOLDER}frame ${String(n).padStart(6, '0')}.jpg`,
    size: 480_000 + n,
  }));
  const pipeline = await LocalPipeline.start({
    context: DEMO_CONTEXT,
    waitMs: 150,
    simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle: { nImages: objects.length } },
    onExecutionEvent: (_name, e) => {
      if (e.type === 'StateEntered') say(`  [${seconds(started)}] ${describe(e.state.name, e.state.input)}`);
    },
  });
  const scratch = mkdtempSync(path.join(tmpdir(), 'vl-ingest-demo-'));
  try {
    say(
      `Visual Layer simulator on ${pipeline.simulator.url}; DynamoDB (dynalite) on ${pipeline.dynamodb.endpoint}`,
    );
    say(`Trigger: quiet (quietSeconds=${DEMO_CONTEXT.quietSeconds} for the demo; 60 by default)`);
    say(
      `Uploading ${objects.length} objects into s3://${BUCKET}/${FOLDER}, one every 0.5 s, each event sent twice`,
    );
    await dropObjects(pipeline, BUCKET, objects, {
      twice: true,
      spacingMs: 500,
      onPut: (object) => say(`  [${seconds(started)}] PutObject ${object.key}`),
    });
    const executions = await pipeline.settled();
    say('');
    say(
      `Events: ${objects.length * 2}; executions: ${executions.length} (${executions.map((e) => e.status).join(', ')})`,
    );
    say(`Visual Layer create calls: ${pipeline.simulator.createCalls().length}`);
    const [record] = await pipeline.records();
    say('Record in DynamoDB:');
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);

    // Later, more frames land in the same folder: they join its dataset.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = [6, 7, 8].map((n) => ({
      key: `${FOLDER}frame ${String(n).padStart(6, '0')}.jpg`,
      size: 480_000 + n,
    }));
    say('');
    say(`The folder is READY. Uploading ${later.length} more objects into it (a second upload)`);
    await dropObjects(pipeline, BUCKET, later, {
      twice: true,
      spacingMs: 500,
      first: objects.length,
      onPut: (object) => say(`  [${seconds(started)}] PutObject ${object.key}`),
    });
    await pipeline.settled();
    const records = await pipeline.records();
    const after = records[0];
    const added = pipeline.simulator.media.additionsOf(String(after?.datasetId));
    say('');
    say(
      `Visual Layer create calls: ${pipeline.simulator.createCalls().length}; add_media calls: ${pipeline.simulator.addMediaCalls().length}` +
        ` (its manifest lists ${added[0]?.keys.length ?? 0} objects)`,
    );
    say(`Done in ${seconds(started)}. What the command line says about it:`);
    const folderUri = String(records[0]?.folderUri ?? `s3://${BUCKET}/${FOLDER}`);
    const outputsFile = writeOutputsFile(pipeline, path.join(scratch, 'outputs.json'));
    say('');
    say(`$ vl-ingest status ${quoted(folderUri)}`);
    const env = { ...process.env, ...pipeline.toolEnvironment() };
    const status = await run(['status', folderUri, '--outputs-file', outputsFile], {
      stdout: process.stdout,
      stderr: process.stderr,
      env,
    });
    const joined =
      after?.status === 'READY' &&
      after.generation === 2 &&
      after.datasetId === record?.datasetId &&
      added.length === 1;
    if (status !== 0 || records.length !== 1 || !joined) process.exitCode = 1;
  } finally {
    await pipeline.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function describe(state: string, input: unknown): string {
  const poll = (input as { poll?: { value?: { vlStatus?: string; progress?: number } } } | null)?.poll?.value;
  if ((state === 'WaitBeforeCheck' || state === 'WaitBeforeBatchCheck') && poll?.vlStatus)
    return `${state} (Visual Layer: ${poll.vlStatus}, ${poll.progress}%)`;
  return state;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
