import { synthesizeApp } from '../local/aws/cloud-assembly';
import { LOCAL_CREDENTIALS, LocalPipeline } from '../local/pipeline';
import { fail, PRICES, table, writeSection } from './report';

/**
 * `npm run bench:backfill`: what a backfill costs, counted (not timed) on the local runtime with the
 * virtual clock. A bucket already holds BENCH_OBJECTS objects (100,000) in BENCH_FOLDERS folders
 * (1,000), no event ever seen; the backfill state machine is started with `{}` and everything runs to
 * the end (every folder READY), with the default configuration (quiet trigger, 60 s; the gate at 10).
 * Counted per object: state transitions (the backfill's executions and the folders'), Lambda
 * invocations, DynamoDB write requests and S3 list calls; priced per 1,000 objects as `bench:storm`
 * prices a live drop. Writes its section of bench/RESULTS.md.
 */

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 100_000);
const FOLDERS = Number(process.env.BENCH_FOLDERS ?? 1_000);
/** The simulator's dataset: one draft read, then three indexing reads before READY, as `bench:storm` has it. */
const LIFECYCLE = { draftReads: 1, indexingReads: 3 };
/** Assumed for Lambda duration: 256 MB functions running 200 ms on average (ARM), as bench:storm. */
const GB_SECONDS_PER_INVOCATION = 0.25 * 0.2;
/** S3 LIST requests (ListObjectsV2), us-east-1 list price. */
const S3_LIST_REQUEST = 0.005 / 1000;
/** A live drop of the same shape (100 folders × 100 objects), from docs/how-it-works.md, "What a drop costs". */
const LIVE_DROP_USD_PER_1000 = 0.0097;

interface Counted {
  executions: number;
  backfillExecutions: number;
  transitions: number;
  /** Of the transitions, those of the backfill's own executions (its steps and pauses). */
  backfillTransitions: number;
  invocations: number;
  writeRequests: number;
  writeUnits: number;
  listCalls: number;
  creates: number;
  ready: number;
  virtualHours: number;
  keysListed: number;
  foldersStarted: number;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const app = synthesizeApp({});
  try {
    const counted = await run(app);
    const section = report(counted);
    writeSection('bench:backfill', section);
    process.stdout.write(`${section}\nWritten to bench/RESULTS.md.\n`);
  } finally {
    app.dispose();
  }
}

async function run(app: ReturnType<typeof synthesizeApp>): Promise<Counted> {
  const p = await LocalPipeline.start({
    app,
    clock: 'virtual',
    simulator: {
      auth: { mode: 'jwt', ...LOCAL_CREDENTIALS },
      lifecycle: LIFECYCLE,
    },
  });
  try {
    const perFolder = Math.ceil(OBJECTS / FOLDERS);
    const before = new Date(p.clock.now() - 86_400_000);
    for (let i = 0; i < OBJECTS; i += 1) {
      const folder = `camera ${String(Math.floor(i / perFolder)).padStart(5, '0')}`;
      p.s3.put(
        'acme-vision-drops',
        `${folder}/frame ${String(i % perFolder).padStart(6, '0')}.jpg`,
        'x',
        before,
      );
    }
    const started = p.clock.now();
    p.startBackfill({});
    const executions = await p.settled();
    const records = await p.records();
    const finished = records.map((r) => Date.parse(String(r.finishedAt))).filter((t) => !Number.isNaN(t));
    const backfillExecutions = `${p.backfillStateMachineArn.replace(':stateMachine:', ':execution:')}:`;
    const backfills = executions.filter((e) => e.executionArn.startsWith(backfillExecutions));
    const last = backfills.find((e) => (e.output as { status?: string } | undefined)?.status === 'DONE');
    const output = (last?.output ?? {}) as { keysListed?: number; foldersStarted?: number };
    return {
      executions: executions.length,
      backfillExecutions: backfills.length,
      transitions: executions.reduce((n, e) => n + e.transitions, 0),
      backfillTransitions: backfills.reduce((n, e) => n + e.transitions, 0),
      invocations: [...p.functions.values()].reduce((n, f) => n + f.lambda.invocations, 0),
      writeRequests: p.dynamodb.writes.requests,
      writeUnits: p.dynamodb.writes.units,
      listCalls: p.s3.requests.filter((r) => r.operation === 'ListObjectsV2').length,
      creates: p.simulator.createCalls().length,
      ready: records.filter((r) => r.status === 'READY').length,
      virtualHours: (Math.max(started, ...finished) - started) / 3_600_000,
      keysListed: output.keysListed ?? 0,
      foldersStarted: output.foldersStarted ?? 0,
    };
  } finally {
    await p.stop();
  }
}

function report(c: Counted): string {
  const per = (n: number) => (n / OBJECTS).toFixed(3);
  const usd =
    c.transitions * PRICES.transition +
    c.invocations * (PRICES.lambdaRequest + GB_SECONDS_PER_INVOCATION * PRICES.lambdaGbSecond) +
    c.writeUnits * PRICES.writeUnit +
    c.listCalls * S3_LIST_REQUEST;
  const per1000 = (usd / OBJECTS) * 1000;
  const hoursPerFolder = c.virtualHours / Math.max(1, FOLDERS);
  return [
    `## Backfill: ${OBJECTS.toLocaleString('en-US')} objects already in the bucket (\`npm run bench:backfill\`)`,
    '',
    `${OBJECTS.toLocaleString('en-US')} objects in ${FOLDERS.toLocaleString('en-US')} folders were in the bucket before the deploy; the backfill`,
    'state machine is started with `{}` and runs to the end, the default configuration (quiet trigger, 60 s;',
    "`maxConcurrentDatasets` 10, so at most 20 folders in flight), the simulator's dataset READY at its fifth",
    'status read, as in `bench:storm`. Local runtime, virtual clock; counted, not timed; hours are virtual.',
    '',
    table(
      ['', 'total', 'per object'],
      [
        ['keys listed', c.keysListed, per(c.keysListed)],
        [
          'folders started',
          `${c.foldersStarted} (READY: ${c.ready}, creates: ${c.creates})`,
          per(c.foldersStarted),
        ],
        ['executions', `${c.executions} (backfill: ${c.backfillExecutions})`, per(c.executions)],
        [
          'state transitions',
          `${c.transitions} (backfill's own: ${c.backfillTransitions})`,
          per(c.transitions),
        ],
        ['Lambda invocations', c.invocations, per(c.invocations)],
        ['DynamoDB write requests', c.writeRequests, per(c.writeRequests)],
        ['S3 list calls', c.listCalls, per(c.listCalls)],
      ],
    ),
    '',
    table(
      ['', 'est. USD / 1,000 objects'],
      [
        ['backfill (this run)', per1000.toFixed(4)],
        ['live drop of 100 folders × 100 objects (`bench:storm`)', LIVE_DROP_USD_PER_1000.toFixed(4)],
      ],
    ),
    '',
    'Estimate: Step Functions transitions, Lambda requests + 256 MB × 200 ms each (ARM), DynamoDB on-demand',
    'write units (one per request here; a new object also writes the pending index, one more unit in AWS),',
    'S3 LIST requests; us-east-1 list prices of 2025; reads and logs left out, as for a live drop.',
    '',
    `Virtual time to every folder READY: ${c.virtualHours.toFixed(1)} h, ${(hoursPerFolder * 60).toFixed(2)} min per folder: the gate's`,
    '10 slots each hold a folder from its create until READY (here four polls, 30 s apart and more).',
    '',
  ].join('\n');
}

main().catch(fail);
