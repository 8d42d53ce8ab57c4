import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What the benchmarks share: bench/RESULTS.md (each benchmark rewrites its own section and leaves
 * the others), Markdown tables and Mermaid charts, and the prices the cost estimates use.
 */

/** Where the benchmarks write their results (linked from the README). */
export const RESULTS_FILE = path.join(__dirname, 'RESULTS.md');

/**
 * us-east-1 list prices (USD) as published on the AWS pricing pages in 2025 (DynamoDB on demand after
 * its November 2024 cut), used here on 2026-11-29 without a network to re-check them: re-check
 * before quoting.
 */
export const PRICES = {
  date: 'us-east-1 list prices of 2025, applied on 2026-11-29',
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  /** ARM64. */
  lambdaGbSecond: 0.0000133334,
  /** DynamoDB on demand. */
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  storageGbMonth: 0.25,
  pitrGbMonth: 0.2,
  sqsRequest: 0.4 / 1e6,
  /** EventBridge PutEvents (the announcement); events from AWS services are free. */
  customEvent: 1 / 1e6,
  logsIngestGb: 0.5,
  logsStorageGbMonth: 0.03,
  kmsKeyMonth: 1,
  kmsRequest: 0.03 / 10_000,
  secretMonth: 0.4,
  secretsApiCall: 0.05 / 10_000,
  alarmMonth: 0.1,
} as const;

/** Replaces the section `name` of RESULTS.md (between its markers), or appends it. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const current = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : '# Benchmark results\n';
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${block}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(RESULTS_FILE, next);
}

/** A Markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** A Mermaid `xychart-beta` with one line per series (Mermaid draws no legend: say which is which). */
export function lineChart(
  title: string,
  xLabels: string[],
  yLabel: string,
  series: { name: string; values: number[] }[],
): string {
  const top = Math.max(1, ...series.flatMap((s) => s.values));
  return [
    '```mermaid',
    'xychart-beta',
    `    title "${title}"`,
    `    x-axis [${xLabels.map((x) => `"${x}"`).join(', ')}]`,
    `    y-axis "${yLabel}" 0 --> ${Math.ceil(top * 1.1)}`,
    ...series.map((s) => `    line [${s.values.map((v) => Math.round(v)).join(', ')}]`),
    '```',
  ].join('\n');
}

/** `90 s`, `15 min`, `2 h`: a duration for a chart's axis. */
export function label(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** Reports a failed benchmark and sets the exit code. */
export function fail(error: unknown): never {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
