import type { SynthesizedApp } from '../local/aws/cloud-assembly';

/** Where the command writes: a terminal, a pipe, or a test's buffer. */
export interface Output {
  write(text: string): unknown;
  /** A terminal: colours, bars redrawn in place, the screen cleared by `watch`. */
  isTTY?: boolean;
  columns?: number;
}

/**
 * Everything the command takes from its surroundings, so that it runs the same in a terminal and in
 * a test: its outputs, the environment (AWS credentials, region and endpoints come from here), the
 * signal that ends `watch`, and the clock and pause it waits with.
 */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  /** Ends `watch` and the wait of `backfill` (Ctrl-C). */
  signal?: AbortSignal;
  /** Waits `ms` (or until the signal). @default a timer */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** @default the system clock */
  now?: () => Date;
  /** The directory relative paths are read from. @default process.cwd() */
  cwd?: string;
  /** `local`: an app already synthesized (tests share one). @default synthesized by `local` */
  localApp?: SynthesizedApp;
}

/** Waits `ms`, or less when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * The command's surroundings in a real process: its streams and environment, Ctrl-C as the signal.
 * `watch` and `backfill` end on the signal by themselves; any other verb is ended a second later.
 */
export function processIo(): CliIo {
  const interrupted = new AbortController();
  process.once('SIGINT', () => {
    interrupted.abort();
    setTimeout(() => process.exit(130), 1000).unref();
  });
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: interrupted.signal };
}
