import { Format } from 'cli-progress';
import Table from 'cli-table3';
import picocolors from 'picocolors';
import type { CliIo, Output } from './io';

/** The colour functions of one run: real colours on a terminal, plain text otherwise. */
export type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * Colours on when writing to a terminal, unless `--no-color` or `NO_COLOR` say otherwise; `FORCE_COLOR`
 * turns them on anywhere.
 */
export function colorsFor(io: CliIo, wanted: boolean): Colors {
  const forced = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0';
  const enabled = wanted && io.env.NO_COLOR === undefined && (forced || io.stdout.isTTY === true);
  return picocolors.createColors(enabled);
}

/** Writes lines, each ended with a newline. */
export function writeLines(out: Output, lines: string[]): void {
  if (lines.length > 0) out.write(`${lines.join('\n')}\n`);
}

/** Writes a value as indented JSON. */
export function writeJson(out: Output, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Rows as a table without borders, columns padded, the header dimmed: readable and easy to grep. */
export function table(head: string[], rows: string[][], c: Colors): string {
  const t = new Table({
    head: head.map((h) => c.dim(h)),
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  t.push(...rows);
  return t
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

const BAR_WIDTH = 20;

/** `[████████░░░░░░░░░░░░]  40%`, drawn by cli-progress's bar formatter. */
export function progressBar(percent: number, width = BAR_WIDTH): string {
  const clamped = Math.min(100, Math.max(0, percent));
  const bar = Format.BarFormat(clamped / 100, {
    barsize: width,
    barCompleteString: '█'.repeat(width),
    barIncompleteString: '░'.repeat(width),
    barGlue: '',
  });
  return `[${bar}] ${String(Math.round(clamped)).padStart(3)}%`;
}

/** A span of time as people say it: `45s`, `3m 20s`, `2h 5m`, `3d 4h`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** How long ago an ISO instant was: `3m ago`; `-` when there is none. */
export function ago(iso: unknown, now: Date): string {
  if (typeof iso !== 'string' || Number.isNaN(Date.parse(iso))) return '-';
  return `${duration(now.getTime() - Date.parse(iso))} ago`;
}

/** The text cut to `max` characters, ending with `…` when cut. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/** A status word in the colour of what it means: green READY, red failures, yellow work under way. */
export function statusWord(status: string, c: Colors): string {
  if (status === 'READY') return c.green(status);
  if (['ERROR', 'TIMED_OUT', 'FAILED'].includes(status)) return c.red(status);
  if (['PENDING', 'CREATING', 'INDEXING'].includes(status)) return c.yellow(status);
  return status;
}
