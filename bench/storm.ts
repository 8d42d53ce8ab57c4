import { type SynthesizedApp, synthesizeApp } from '../local/aws/cloud-assembly';
import { LOCAL_CREDENTIALS, type LocalExecution, LocalPipeline } from '../local/pipeline';
import { objectCreated } from './cost';

/**
 * `npm run bench:storm`: what a drop costs, counted (not timed) on the local runtime. For each drop,
 * the quiet trigger (rule → queue → folding function → one execution per folder) is measured next to
 * one execution per object (each object event given straight to the state machine, the way the first
 * version of the pipeline worked), in the same run with the same synthesized app.
 */

/** us-east-1 list prices used for the estimate (USD). */
const PRICE = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334, // ARM64
  writeUnit: 0.625 / 1e6, // DynamoDB on-demand
  readUnit: 0.125 / 1e6,
  sqsRequest: 0.4 / 1e6,
};
/** Assumed for the Lambda duration estimate: 256 MB functions running 200 ms on average. */
const LAMBDA_GB_SECONDS_PER_CALL = 0.25 * 0.2;

interface Figures {
  approach: string;
  objects: number;
  executions: number;
  transitions: number;
  lambdaInvocations: number;
  writeRequests: number;
  writeUnits: number;
  createCalls: number;
  sqsRequests: number;
}

const QUIET_SECONDS = '2';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const app = synthesizeApp({ prefix: 'drops/', quietSeconds: QUIET_SECONDS });
  const rows: Figures[] = [];
  try {
    for (const [folders, perFolder] of [
      [1, 10_000],
      [100, 100],
    ] as const) {
      const events = drop(folders, perFolder);
      rows.push(await quietTrigger(app, events, `${folders} × ${perFolder}`));
      rows.push(await perObject(app, events, `${folders} × ${perFolder}`));
    }
  } finally {
    app.dispose();
  }
  print(rows);
}

function drop(folders: number, perFolder: number): unknown[] {
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const events: unknown[] = [];
  for (let f = 0; f < folders; f += 1) {
    for (let o = 0; o < perFolder; o += 1) {
      events.push(objectCreated(`drops/camera ${f}/frame ${o}.jpg`, time, f * perFolder + o));
    }
  }
  return events;
}

async function start(app: SynthesizedApp): Promise<LocalPipeline> {
  return LocalPipeline.start({
    app,
    simulator: {
      auth: { mode: 'jwt', ...LOCAL_CREDENTIALS },
      lifecycle: { draftReads: 1, indexingReads: 3 },
    },
  });
}

async function quietTrigger(app: SynthesizedApp, events: unknown[], drop: string): Promise<Figures> {
  const p = await start(app);
  try {
    for (const event of events) p.deliver(event);
    const executions = await p.settled();
    const batches = [...p.queues.values()].reduce((n, q) => n + q.batches, 0);
    return figures(p, executions, `quiet trigger (${drop})`, events.length, events.length + 2 * batches);
  } finally {
    await p.stop();
  }
}

async function perObject(app: SynthesizedApp, events: unknown[], drop: string): Promise<Figures> {
  const p = await start(app);
  try {
    const executions: LocalExecution[] = [];
    for (let i = 0; i < events.length; i += 250) {
      executions.push(...(await Promise.all(events.slice(i, i + 250).map((e) => p.run(e)))));
    }
    return figures(p, executions, `one execution per object (${drop})`, events.length, 0);
  } finally {
    await p.stop();
  }
}

function figures(
  p: LocalPipeline,
  executions: LocalExecution[],
  approach: string,
  objects: number,
  sqsRequests: number,
): Figures {
  return {
    approach,
    objects,
    executions: executions.length,
    transitions: executions.reduce((n, e) => n + e.transitions, 0),
    lambdaInvocations: [...p.functions.values()].reduce((n, f) => n + f.lambda.invocations, 0),
    writeRequests: p.dynamodb.writes.requests,
    writeUnits: p.dynamodb.writes.units,
    createCalls: p.simulator.createCalls().length,
    sqsRequests,
  };
}

function costPerThousand(f: Figures): number {
  const cost =
    f.transitions * PRICE.transition +
    f.lambdaInvocations * (PRICE.lambdaRequest + LAMBDA_GB_SECONDS_PER_CALL * PRICE.lambdaGbSecond) +
    f.writeUnits * PRICE.writeUnit +
    f.sqsRequests * PRICE.sqsRequest;
  return (cost / f.objects) * 1000;
}

function print(rows: Figures[]): void {
  const header = [
    'approach',
    'objects',
    'executions',
    'state transitions',
    'Lambda invocations',
    'DynamoDB write requests',
    'DynamoDB write units',
    'create calls',
    'est. USD / 1,000 objects',
  ];
  const lines = rows.map((f) => [
    f.approach,
    f.objects,
    f.executions,
    f.transitions,
    f.lambdaInvocations,
    f.writeRequests,
    f.writeUnits,
    f.createCalls,
    costPerThousand(f).toFixed(4),
  ]);
  const out = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...lines.map((l) => `| ${l.join(' | ')} |`),
  ];
  process.stdout.write(`\n${out.join('\n')}\n\n`);
  for (let i = 0; i + 1 < rows.length; i += 2) {
    const quiet = rows[i] as Figures;
    const each = rows[i + 1] as Figures;
    process.stdout.write(
      `${quiet.approach}: ${(each.transitions / Math.max(1, quiet.transitions)).toFixed(0)}× fewer transitions, ` +
        `${(each.lambdaInvocations / Math.max(1, quiet.lambdaInvocations)).toFixed(0)}× fewer invocations, ` +
        `${(each.writeRequests / Math.max(1, quiet.writeRequests)).toFixed(0)}× fewer write requests than one execution per object.\n`,
    );
  }
  process.stdout.write(
    `\nQuiet period ${QUIET_SECONDS} s, the drop delivered at once; settle checks grow with upload time ÷ quietSeconds.\n` +
      'Estimate: Step Functions transitions, Lambda requests + 256 MB × 200 ms each (ARM), DynamoDB on-demand write units,\n' +
      'SQS requests (one send per event, a receive and a delete per batch); us-east-1 list prices; reads and logs left out.\n',
  );
  const big = rows[0];
  if (big && big.transitions > 500) {
    process.stdout.write(
      `\nOVER BUDGET: the 10,000-object drop took ${big.transitions} transitions (budget 500).\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
