import { encodeS3EventKey } from '../lambdas/shared/s3/s3-key';
import { synthesizeApp } from '../local/aws/cloud-assembly';
import { LocalPipeline } from '../local/pipeline';

/**
 * `npm run bench:append`: what an append batch costs, counted (not timed) on the local runtime. A
 * folder of 100 objects is ingested to READY; then a late batch of objects arrives at once, and what
 * that batch alone adds is counted: executions, state transitions, Lambda invocations, DynamoDB write
 * requests, Visual Layer calls and S3 requests. The first batch of a folder also marks the objects the
 * create read (generation 1), so it is counted apart from a later one.
 */

const BUCKET = 'acme-vision-drops';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Figures {
  batch: string;
  objects: number;
  executions: number;
  transitions: number;
  lambdaInvocations: number;
  writeRequests: number;
  addMedia: number;
  taskLookups: number;
  statusChecks: number;
  s3Requests: number;
}

let sequence = 0;

function event(key: string) {
  sequence += 1;
  return {
    version: '0',
    id: `bench-${sequence}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${BUCKET}`],
    detail: {
      version: '0',
      bucket: { name: BUCKET },
      object: {
        key: encodeS3EventKey(key),
        size: 1000,
        etag: 'e',
        sequencer: sequence.toString(16).padStart(12, '0'),
      },
      'request-id': 'r',
      requester: '000000000000',
      reason: 'PutObject',
    },
  };
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const app = synthesizeApp({ prefix: 'drops/', quietSeconds: '2' });
  const rows: Figures[] = [];
  try {
    for (const size of [10, 1000]) {
      const p = await LocalPipeline.start({ app, simulator: { lifecycle: { nImages: 100 } } });
      try {
        for (let i = 0; i < 100; i += 1) p.deliver(event(`drops/cams/frame ${i}.jpg`));
        await p.settled();
        await sleep(1100);
        rows.push(await batch(p, `first (${size})`, size, 'a'));
        rows.push(await batch(p, `later (${size})`, size, 'b'));
      } finally {
        await p.stop();
      }
    }
  } finally {
    app.dispose();
  }
  print(rows);
}

/** Delivers `size` new objects and counts what their batch adds. */
async function batch(p: LocalPipeline, name: string, size: number, tag: string): Promise<Figures> {
  const before = snapshot(p);
  const seen = new Set(p.executions.keys());
  for (let i = 0; i < size; i += 1) p.deliver(event(`drops/cams/late ${tag} ${i}.jpg`));
  const executions = (await p.settled()).filter((e) => !seen.has(e.executionArn));
  const after = snapshot(p);
  return {
    batch: name,
    objects: size,
    executions: executions.length,
    transitions: executions.reduce((n, e) => n + e.transitions, 0),
    lambdaInvocations: after.invocations - before.invocations,
    writeRequests: after.writes - before.writes,
    addMedia: after.addMedia - before.addMedia,
    taskLookups: after.tasks - before.tasks,
    statusChecks: after.status - before.status,
    s3Requests: after.s3 - before.s3,
  };
}

function snapshot(p: LocalPipeline) {
  const calls = p.simulator.calls;
  return {
    invocations: [...p.functions.values()].reduce((n, f) => n + f.lambda.invocations, 0),
    writes: p.dynamodb.writes.requests,
    addMedia: p.simulator.addMediaCalls().length,
    tasks: calls.filter((c) => c.path === '/api/v1/tasks').length,
    status: calls.filter((c) => c.method === 'GET' && c.path.startsWith('/api/v1/dataset/')).length,
    s3: p.s3.requests.length,
  };
}

function print(rows: Figures[]): void {
  const columns = Object.keys(rows[0] ?? {}) as (keyof Figures)[];
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => String(row[c])))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
