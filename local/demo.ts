import { encodeS3EventKey } from '../lambdas/shared/s3/s3-key';
import { LOCAL_CREDENTIALS, LocalPipeline } from './pipeline';

/**
 * `npm run demo`: the pipeline on this machine with its embedded defaults. Synthesizes the app,
 * uploads a folder of five frames into the local bucket (each S3 event delivered twice, as S3 may),
 * lets the synthesized rule, queue, folding function and state machine run against dynalite and the
 * Visual Layer simulator, and prints the folder's record; then uploads three more frames into the
 * READY folder and shows them join the same dataset (generation 2, one add_media).
 */
const BUCKET = 'acme-vision-drops';
const FOLDER = 'Line 3 cameras/2026-11-28 (night)/';

/** The demo's one departure from the defaults: a 3 s quiet period instead of 60 s, so it ends quickly. */
const DEMO_CONTEXT = { quietSeconds: '3' };

async function main(): Promise<void> {
  const started = Date.now();
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  say('Synthesizing the app (cdk synth, esbuild bundling)…');
  const keys = [1, 2, 3, 4, 5].map((n) => `${FOLDER}frame ${String(n).padStart(6, '0')}.jpg`);
  const pipeline = await LocalPipeline.start({
    context: DEMO_CONTEXT,
    waitMs: 150,
    simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS }, lifecycle: { nImages: keys.length } },
    onExecutionEvent: (_name, e) => {
      if (e.type === 'StateEntered') say(`  [${seconds(started)}] ${describe(e.state.name, e.state.input)}`);
    },
  });
  try {
    say(
      `Visual Layer simulator on ${pipeline.simulator.url}; DynamoDB (dynalite) on ${pipeline.dynamodb.endpoint}`,
    );
    say(`Trigger: quiet (quietSeconds=${DEMO_CONTEXT.quietSeconds} for the demo; 60 by default)`);
    say(
      `Uploading ${keys.length} objects into s3://${BUCKET}/${FOLDER}, one every 0.5 s, each event sent twice`,
    );
    await upload(pipeline, keys, started);
    const executions = await pipeline.settled();
    const [record] = await pipeline.records();
    say('');
    say(
      `Events: ${keys.length * 2}; executions: ${executions.length} (${executions.map((e) => e.status).join(', ')})`,
    );
    say(`Visual Layer create calls: ${pipeline.simulator.createCalls().length}`);
    say('Record in DynamoDB:');
    process.stdout.write(`${JSON.stringify(record, null, 2)}\n`);

    // Later, more frames land in the same folder: they join its dataset.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = [6, 7, 8].map((n) => `${FOLDER}frame ${String(n).padStart(6, '0')}.jpg`);
    say('');
    say(`The folder is READY. Uploading ${later.length} more objects into it (a second upload)`);
    await upload(pipeline, later, started, keys.length);
    await pipeline.settled();
    const [after] = await pipeline.records();
    const added = pipeline.simulator.media.additionsOf(String(after?.datasetId));
    say('');
    say(
      `Visual Layer create calls: ${pipeline.simulator.createCalls().length}; add_media calls: ${pipeline.simulator.addMediaCalls().length}` +
        ` (its manifest lists ${added[0]?.keys.length ?? 0} objects)`,
    );
    say('Record in DynamoDB:');
    process.stdout.write(`${JSON.stringify(after, null, 2)}\n`);
    say(`Done in ${seconds(started)}.`);
    const joined =
      after?.status === 'READY' &&
      after.generation === 2 &&
      after.datasetId === record?.datasetId &&
      added.length === 1;
    if (!joined) process.exitCode = 1;
  } finally {
    await pipeline.stop();
  }
}

/** Delivers each object's event twice, one object every 0.5 s. */
async function upload(pipeline: LocalPipeline, keys: string[], started: number, first = 0): Promise<void> {
  for (const [i, key] of keys.entries()) {
    const event = objectCreatedEvent(BUCKET, key, first + i);
    pipeline.deliver(event);
    pipeline.deliver(structuredClone(event));
    say(`  [${seconds(started)}] PutObject ${key}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function describe(state: string, input: unknown): string {
  const poll = (input as { poll?: { value?: { vlStatus?: string; progress?: number } } } | null)?.poll?.value;
  if ((state === 'WaitBeforeCheck' || state === 'WaitBeforeBatchCheck') && poll?.vlStatus)
    return `${state} (Visual Layer: ${poll.vlStatus}, ${poll.progress}%)`;
  return state;
}

function objectCreatedEvent(bucket: string, key: string, n: number) {
  return {
    version: '0',
    id: `demo-${n}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key: encodeS3EventKey(key), size: 480_000 + n, etag: `etag-${n}`, sequencer: `00${n}` },
      'request-id': `demo-${n}`,
      requester: '000000000000',
      reason: 'PutObject',
    },
  };
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
