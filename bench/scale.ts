import { synthesizeApp } from '../local/aws/cloud-assembly';
import { LOCAL_CREDENTIALS, LocalPipeline } from '../local/pipeline';
import { objectCreated } from './cost';
import { fail, table, writeSection } from './report';

/**
 * `npm run bench:scale`: 500 folders ready at once against a Visual Layer that refuses a create
 * (429, Retry-After 60 s) while 10 of its datasets are in progress — with the gate as wide as that
 * (maxConcurrentDatasets=10) and without it (0: every folder creates and waits as it is told). On the
 * local runtime with the virtual clock; counted, not timed: time to all READY (virtual), peak in
 * flight, refused calls, state transitions. Writes its section of bench/RESULTS.md.
 */

const FOLDERS = Number(process.env.BENCH_FOLDERS ?? 500);
const IN_PROGRESS_LIMIT = 10;
const INDEXING_SECONDS = 600;
const RETRY_AFTER_SECONDS = 60;

interface Figures {
  run: string;
  /** For the charts' axis. */
  short: string;
  ready: number;
  hoursToAllReady: number;
  peakInFlight: number;
  peakInProgress: number;
  refusedCreates: number;
  createCalls: number;
  transitions: number;
  invocations: number;
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const rows: Figures[] = [];
  for (const gate of [IN_PROGRESS_LIMIT, 0]) {
    const app = synthesizeApp({ maxConcurrentDatasets: String(gate), quietSeconds: '60' });
    try {
      rows.push(await run(app, gate));
      process.stdout.write(`${JSON.stringify(rows.at(-1))}\n`);
    } finally {
      app.dispose();
    }
  }
  const section = report(rows);
  writeSection('bench:scale', section);
  process.stdout.write(`${section}\nWritten to bench/RESULTS.md.\n`);
}

async function run(app: ReturnType<typeof synthesizeApp>, gate: number): Promise<Figures> {
  const inFlight = new Set<string>();
  let peakInFlight = 0;
  const p = await LocalPipeline.start({
    app,
    clock: 'virtual',
    simulator: {
      auth: { mode: 'jwt', ...LOCAL_CREDENTIALS },
      lifecycle: { indexingSeconds: INDEXING_SECONDS },
      limits: { maxInProgress: IN_PROGRESS_LIMIT, retryAfterSeconds: RETRY_AFTER_SECONDS },
    },
    // In flight: between the first create sent and the end (the slot given back, or the execution's end).
    onExecutionEvent: (name, event) => {
      if (event.type === 'StateEntered' && event.state.name === 'CreateDataset') inFlight.add(name);
      const released = event.type === 'StateEntered' && event.state.name.startsWith('ReleaseSlot');
      if (released || (event.type.startsWith('Execution') && event.type !== 'ExecutionStarted')) {
        inFlight.delete(name);
      }
      peakInFlight = Math.max(peakInFlight, inFlight.size);
    },
  });
  try {
    const started = p.clock.now();
    const time = new Date(started).toISOString().replace(/\.\d+Z$/, 'Z');
    for (let i = 0; i < FOLDERS; i += 1) p.deliver(objectCreated(`scale ${i}/frame.jpg`, time, i));
    const executions = await p.settled();
    const records = await p.records();
    const finished = records.map((r) => Date.parse(String(r.finishedAt))).filter((t) => !Number.isNaN(t));
    const creates = p.simulator.createCalls();
    return {
      run: gate > 0 ? `gate: maxConcurrentDatasets=${gate}` : 'no gate (maxConcurrentDatasets=0)',
      short: gate > 0 ? `gate of ${gate}` : 'no gate',
      ready: records.filter((r) => r.status === 'READY').length,
      hoursToAllReady: (Math.max(...finished) - started) / 3600_000,
      peakInFlight,
      peakInProgress: p.simulator.peakInProgress,
      refusedCreates: creates.filter((c) => c.status === 429).length,
      createCalls: creates.length,
      transitions: executions.reduce((n, e) => n + e.transitions, 0),
      invocations: [...p.functions.values()].reduce((n, f) => n + f.lambda.invocations, 0),
    };
  } finally {
    await p.stop();
  }
}

function report(rows: Figures[]): string {
  const header = [
    'run',
    'READY',
    'hours to all READY',
    'peak in flight',
    'peak in progress at Visual Layer',
    'refused creates (429)',
    'create calls',
    'state transitions',
    'Lambda invocations',
  ];
  const lines = rows.map((f) => [
    f.run,
    `${f.ready} / ${FOLDERS}`,
    f.hoursToAllReady.toFixed(1),
    f.peakInFlight,
    f.peakInProgress,
    f.refusedCreates,
    f.createCalls,
    f.transitions,
    f.invocations,
  ]);
  const bars = (value: (f: Figures) => number, title: string, unit: string) =>
    [
      '```mermaid',
      'xychart-beta',
      `    title "${title}"`,
      `    x-axis [${rows.map((f) => `"${f.short}"`).join(', ')}]`,
      `    y-axis "${unit}" 0 --> ${Math.ceil(Math.max(1, ...rows.map(value)) * 1.1)}`,
      `    bar [${rows.map((f) => Math.round(value(f))).join(', ')}]`,
      '```',
    ].join('\n');
  return [
    `## Scale: ${FOLDERS} folders at once (\`npm run bench:scale\`)`,
    '',
    `${FOLDERS} folders of one image each, dropped at once (quiet trigger, 60 s), against a simulator that indexes`,
    `each dataset for ${INDEXING_SECONDS / 60} min and answers 429 (Retry-After ${RETRY_AFTER_SECONDS} s) to a create while`,
    `${IN_PROGRESS_LIMIT} of its datasets are in progress. Local runtime, virtual clock; hours are virtual.`,
    '"In flight": folders between their first create sent and their end.',
    '',
    table(header, lines),
    '',
    bars((f) => f.refusedCreates, 'Creates Visual Layer refused (429)', 'refused'),
    '',
    bars((f) => f.transitions, 'State transitions for the whole drop', 'transitions'),
    '',
    bars((f) => f.hoursToAllReady, 'Hours until every folder is READY', 'hours'),
    '',
  ].join('\n');
}

main().catch(fail);
