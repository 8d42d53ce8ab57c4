import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { isMediaKey, VIDEO_EXTENSIONS } from '../../lambdas/shared/s3/media';
import { LOCAL_BUCKET_NAME } from '../../local/aws/intrinsics';
import { type Act, RunContext } from '../context';
import { type ExitCode, ProblemError, UsageError } from '../exit';
import { quoted } from '../fixes';
import { folderStatus } from './status';

interface LocalOptions {
  quietSeconds: number;
  json?: boolean;
}

/** `vl-ingest local <directory>`. */
export function registerLocal(program: Command, act: Act): void {
  program
    .command('local')
    .summary('run the pipeline on a folder of your images, on this machine')
    .argument('<directory>', 'a folder of images or videos on this machine')
    .description(
      "Runs the whole pipeline on this machine on a folder of your own images, against the Visual Layer simulator — the runtime of npm run demo: the synthesized app's rule, queue, functions and state machine, DynamoDB served by dynalite. Nothing leaves the machine; at the end it shows the folder's status as vl-ingest status would in a deployment.",
    )
    .option(
      '--quiet-seconds <n>',
      'quiet period before the dataset is created (a deployment waits 60 s)',
      parseSeconds,
      3,
    )
    .option('--json', "print the folder's record as JSON at the end")
    .addHelpText(
      'after',
      `
The directory becomes one folder of the local bucket (s3://${LOCAL_BUCKET_NAME}/<directory name>/), its files
(subfolders included) its objects; only images and videos are uploaded, as the rule lets only those through.
Synthesizing and bundling the app first takes half a minute. Exit status: 0 when the folder ends READY.`,
    )
    .action((directory: string, options: LocalOptions, command: Command) =>
      act(command, (ctx) => local(ctx, directory, options)),
    );
}

async function local(ctx: RunContext, directory: string, options: LocalOptions): Promise<ExitCode> {
  const root = path.resolve(ctx.io.cwd ?? process.cwd(), directory);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory())
    throw new UsageError(`${root} is not a directory`);
  // The local runtime loads the CDK and the interpreter: only this verb pays for them.
  const { LOCAL_CREDENTIALS, LocalPipeline } = await import('../../local/pipeline');
  const { dropObjects } = await import('../../local/drop');
  const { writeOutputsFile } = await import('../../local/outputs');
  const folder = path.basename(root);
  const objects = mediaFiles(root).map((file) => ({
    key: `${folder}/${path.relative(root, file).split(path.sep).join('/')}`,
    size: statSync(file).size,
  }));
  if (objects.length === 0)
    throw new ProblemError(`${root} holds no image or video (by extension: .jpg, .png, .mp4, …)`);
  const folderUri = `s3://${LOCAL_BUCKET_NAME}/${folder}/`;
  const say = (line: string) => ctx.io.stderr.write(`${line}\n`);
  const started = Date.now();
  const clock = () => `[${((Date.now() - started) / 1000).toFixed(1)} s]`;
  if (!ctx.io.localApp) say('Synthesizing the app (cdk synth, esbuild bundling)…');
  const videos = objects.filter((o) =>
    (VIDEO_EXTENSIONS as readonly string[]).includes(path.extname(o.key).slice(1).toLowerCase()),
  ).length;
  const pipeline = await LocalPipeline.start({
    ...(ctx.io.localApp
      ? { app: ctx.io.localApp }
      : { context: { quietSeconds: String(options.quietSeconds) } }),
    waitMs: 150,
    simulator: {
      auth: { mode: 'jwt', ...LOCAL_CREDENTIALS },
      lifecycle: { nImages: objects.length - videos, nVideos: videos },
    },
    onExecutionEvent: (_name, e) => {
      if (e.type === 'StateEntered') say(`  ${clock()} ${e.state.name}`);
    },
  });
  const scratch = mkdtempSync(path.join(tmpdir(), 'vl-ingest-local-'));
  try {
    say(`Uploading ${objects.length} object(s) into ${folderUri} (the local bucket)`);
    await dropObjects(pipeline, LOCAL_BUCKET_NAME, objects, {
      onPut: (o) => say(`  ${clock()} PutObject ${o.key}`),
    });
    const executions = await pipeline.settled();
    const creates = pipeline.simulator.createCalls().length;
    say('');
    say(
      `In a deployment this upload makes ${executions.length} execution(s) (${executions.map((e) => e.status).join(', ')}) and ${creates} Visual Layer create call(s): one dataset for ${folderUri}, which Visual Layer reads from the bucket through the read role.`,
    );
    say(`$ vl-ingest status ${quoted(folderUri)}`);
    const outputsFile = writeOutputsFile(pipeline, path.join(scratch, 'outputs.json'));
    const env = { ...ctx.io.env, ...pipeline.toolEnvironment() };
    const statusCtx = new RunContext({ ...ctx.io, env }, { outputsFile, color: ctx.options.color });
    return await folderStatus(statusCtx, folderUri, { json: options.json });
  } finally {
    await pipeline.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every media file under a directory, in a stable order. */
function mediaFiles(root: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) found.push(...mediaFiles(full));
    else if (entry.isFile() && isMediaKey(entry.name)) found.push(full);
  }
  return found;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  // The stack's own bounds on quietSeconds.
  if (!Number.isInteger(n) || n < 1 || n > 86_400) {
    throw new InvalidArgumentError('give a whole number of seconds from 1 to 86400');
  }
  return n;
}
