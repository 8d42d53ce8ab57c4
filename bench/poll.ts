import { MAX_POLLS } from '../lambdas/shared/polling/limits';
import { type SynthesizedApp, synthesizeApp } from '../local/aws/cloud-assembly';
import { LOCAL_CREDENTIALS, LocalPipeline } from '../local/pipeline';
import { folderCost, objectCreated } from './cost';
import { fail, label, lineChart, table, writeSection } from './report';

/**
 * `npm run bench:poll`: what noticing a dataset's end costs, for indexing runs from 1 minute to 24
 * hours, on the local runtime with the virtual clock (the synthesized app, its real functions, the
 * simulator indexing with a linear progress). Three schedules: a fixed 30 s loop, the old backoff
 * (30 s growing ×1.5 to 300 s, what the pipeline does when Visual Layer reports no progress) and
 * the progress-aware schedule. Counted, not timed: status checks, state transitions, and how long
 * after READY the pipeline noticed. Writes its section of bench/RESULTS.md, with the cost table.
 */

const INDEXING_SECONDS = [60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600];
/**
 * Each indexing time is run with these extra seconds, and the figures averaged: where a schedule's
 * checks fall relative to READY is a matter of phase (with whole minutes, a fixed 30 s loop would
 * check exactly at READY every time), so one run per time would show luck, not the schedule.
 */
const OFFSETS_SECONDS = [17, 117, 217];
/** A deadline past the longest run (24 h) for the schedules that can reach it. */
const MAX_WAIT_MINUTES = 1500;

interface Run {
  checks: number;
  transitions: number;
  lagSeconds: number;
}

/** One schedule at one indexing time: the mean over the offsets, and the longest lag. */
interface Figures extends Run {
  maxLagSeconds: number;
  /** Not run: beyond the checks one execution makes; figures computed for a loop that never stops. */
  computed?: boolean;
}

type Schedule = 'fixed 30 s' | 'old backoff' | 'progress-aware';

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const adaptive = synthesizeApp({ maxWaitMinutes: String(MAX_WAIT_MINUTES) });
  // A fixed loop reaches 900 checks at 7.5 h: its deadline stops short of that.
  const fixed = synthesizeApp({ maxPollIntervalSeconds: '30', maxWaitMinutes: String((MAX_POLLS - 10) / 2) });
  const results = new Map<Schedule, Figures[]>();
  try {
    results.set('fixed 30 s', await runAll(fixed, false, true));
    results.set('old backoff', await runAll(adaptive, false, false));
    results.set('progress-aware', await runAll(adaptive, true, false));
    const cost = await folderCost(adaptive);
    writeSection('bench:poll', `${report(results)}\n${cost}`);
  } finally {
    adaptive.dispose();
    fixed.dispose();
  }
  process.stdout.write(`${report(results)}\nWritten to bench/RESULTS.md.\n`);
}

/** Every indexing time and offset on one pipeline: a folder each, one after the other. */
async function runAll(app: SynthesizedApp, reportsProgress: boolean, fixedLoop: boolean): Promise<Figures[]> {
  const p = await LocalPipeline.start({
    app,
    clock: 'virtual',
    simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS } },
  });
  try {
    const figures: Figures[] = [];
    for (const seconds of INDEXING_SECONDS) {
      if (fixedLoop && (seconds + Math.max(...OFFSETS_SECONDS)) / 30 >= MAX_POLLS - 10) {
        figures.push(computedFixedLoop(seconds, figures.at(-1)));
        continue;
      }
      const runs: Run[] = [];
      for (const offset of OFFSETS_SECONDS) runs.push(await runOne(p, seconds + offset, reportsProgress));
      figures.push({ ...mean(runs), maxLagSeconds: Math.max(...runs.map((r) => r.lagSeconds)) });
    }
    return figures;
  } finally {
    await p.stop();
  }
}

let folders = 0;

/** One folder indexing for `indexing` seconds: its checks, transitions and detection lag. */
async function runOne(p: LocalPipeline, indexing: number, reportsProgress: boolean): Promise<Run> {
  folders += 1;
  p.simulator.lifecycle = { indexingSeconds: indexing, reportsProgress };
  const folderUri = `s3://acme-vision-drops/poll-${folders}/`;
  const time = new Date(p.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const execution = await p.run(objectCreated(`poll-${folders}/frame.jpg`, time, folders));
  const record = await p.record(folderUri);
  const dataset = [...p.simulator.datasets.values()].find((d) => d.bucketPath === folderUri);
  if (record?.status !== 'READY' || !dataset) throw new Error(`${folderUri} ended ${String(record?.status)}`);
  const readyAt = dataset.createdAt.getTime() + indexing * 1000;
  return {
    checks: Number(record.polls),
    transitions: execution.transitions,
    lagSeconds: Math.round((Date.parse(String(record.finishedAt)) - readyAt) / 1000),
  };
}

/**
 * One execution stops at 900 checks: the figures of a fixed loop that would go on — a check every
 * 30 s, four transitions each, plus what the last run spent outside the loop.
 */
function computedFixedLoop(seconds: number, last: Figures | undefined): Figures {
  const runs = OFFSETS_SECONDS.map((offset) => {
    const checks = Math.ceil((seconds + offset) / 30);
    const base = last ? last.transitions - 4 * last.checks : 0;
    return { checks, transitions: base + 4 * checks, lagSeconds: checks * 30 - (seconds + offset) };
  });
  return { ...mean(runs), maxLagSeconds: Math.max(...runs.map((r) => r.lagSeconds)), computed: true };
}

function mean(runs: Run[]): Run {
  const avg = (value: (r: Run) => number) => Math.round(runs.reduce((n, r) => n + value(r), 0) / runs.length);
  return {
    checks: avg((r) => r.checks),
    transitions: avg((r) => r.transitions),
    lagSeconds: avg((r) => r.lagSeconds),
  };
}

function report(results: Map<Schedule, Figures[]>): string {
  const labels = INDEXING_SECONDS.map(label);
  const schedules = [...results.keys()];
  const cell = (run: Figures | undefined, value: (r: Figures) => number | string) =>
    run ? `${value(run)}${run.computed ? '*' : ''}` : '';
  const rows = INDEXING_SECONDS.map((_, i) => [
    labels[i] as string,
    ...schedules.flatMap((s) => {
      const run = results.get(s)?.[i];
      return [
        cell(run, (r) => r.checks),
        cell(run, (r) => r.transitions),
        cell(run, (r) => `${r.lagSeconds} (${r.maxLagSeconds})`),
      ];
    }),
  ]);
  const header = [
    'indexing',
    ...schedules.flatMap((s) => [`${s}: checks`, 'transitions', 'seen after READY, s: mean (max)']),
  ];
  const series = (value: (r: Figures) => number) =>
    schedules.map((s) => ({ name: s, values: (results.get(s) ?? []).map(value) }));
  const ratio = (i: number) => {
    const fixedChecks = results.get('fixed 30 s')?.[i]?.checks ?? 0;
    const aware = results.get('progress-aware')?.[i]?.checks ?? 1;
    return (fixedChecks / aware).toFixed(0);
  };
  return [
    '## Polling: checks, transitions and detection lag (`npm run bench:poll`)',
    '',
    'One folder per indexing time on the local runtime with the virtual clock: the synthesized app, its',
    'functions, the simulator indexing with a linear progress (whole percents) and READY at 100 %.',
    `Each time is run ${OFFSETS_SECONDS.length} times, ${OFFSETS_SECONDS.join(', ')} s longer than its label, and averaged:`,
    'where checks fall relative to READY is a matter of phase, so one run would show luck, not the schedule.',
    '"seen after READY" is the time between READY and the check that saw it. The old backoff is what',
    'the pipeline still does when Visual Layer reports no progress. * computed, not run: a fixed loop',
    `would need more than the ${MAX_POLLS} checks one execution makes.`,
    '',
    table(header, rows),
    '',
    `Progress-aware against every 30 s: ${ratio(5)}× fewer checks at 2 h, ${ratio(7)}× at 8 h, ${ratio(8)}× at 24 h.`,
    '',
    lineChart(
      'Status checks until READY is seen (lines: fixed 30 s, old backoff, progress-aware)',
      labels,
      'checks',
      series((r) => r.checks),
    ),
    '',
    lineChart(
      'Mean seconds between READY and the check that saw it (same order)',
      labels,
      'seconds',
      series((r) => r.lagSeconds),
    ),
    '',
  ].join('\n');
}

main().catch(fail);
