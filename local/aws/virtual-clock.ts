import { CLOCK_SOURCE } from '../../lambdas/shared/clock';

/** The time the local runtime keeps: what Wait states, the context object, the functions and the simulator read. */
export interface LocalClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves once `ms` have passed on this clock (or at once when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `work`, counting it as activity: a virtual clock stands still while any runs. */
  track<T>(work: () => Promise<T>): Promise<T>;
}

/** The system clock: sleeping takes real time. */
export const SYSTEM_CLOCK: LocalClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    }),
  track: (work) => work(),
};

interface Sleeper {
  at: number;
  seq: number;
  wake: () => void;
}

/**
 * A discrete-event clock: time stands still while anything is at work (a task, a function, a queue
 * batch) and jumps to the next sleeper's wake-up time as soon as everything is idle, so hours of
 * Wait states and Retry-After pass in the milliseconds the work between them takes. Every reader of
 * time in the local runtime reads it — Wait states, `$$.State.EnteredTime`, the functions (through
 * the clock module, see `lambdas/shared/clock.ts`) and the Visual Layer simulator.
 */
export class VirtualClock implements LocalClock {
  private nowMs: number;
  private readonly sleepers: Sleeper[] = [];
  private busy = 0;
  private seq = 0;
  private scheduled = false;
  private stopped = false;
  /** Other work the clock must wait for before moving (queues, asynchronous invocations). */
  idleWhen: () => boolean = () => true;

  constructor(startMs = Date.now()) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = { at: this.nowMs + Math.max(0, ms), seq: this.seq++, wake: resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.remove(sleeper);
        resolve();
      });
      this.poke();
    });
  }

  async track<T>(work: () => Promise<T>): Promise<T> {
    this.busy += 1;
    try {
      return await work();
    } finally {
      this.busy -= 1;
      this.poke();
    }
  }

  /** Lets the functions read this clock (they run in this process); returns how to stop. */
  drive(): () => void {
    const host = globalThis as { [CLOCK_SOURCE]?: () => number };
    const previous = host[CLOCK_SOURCE];
    host[CLOCK_SOURCE] = () => this.nowMs;
    return () => {
      host[CLOCK_SOURCE] = previous;
    };
  }

  /** Stops moving time; sleepers left are never woken. */
  stop(): void {
    this.stopped = true;
  }

  private remove(sleeper: Sleeper): void {
    const i = this.sleepers.indexOf(sleeper);
    if (i >= 0) this.sleepers.splice(i, 1);
  }

  /** Looks again once the current microtasks and I/O callbacks have run. */
  private poke(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.advance());
  }

  private advance(): void {
    this.scheduled = false;
    if (this.stopped || this.sleepers.length === 0) return;
    if (this.busy > 0) return; // the end of that work pokes again
    if (!this.idleWhen()) {
      // A queue or an invocation is at work on real timers: look again shortly.
      this.scheduled = true;
      setTimeout(() => this.advance(), 2);
      return;
    }
    this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.sleepers[0] as Sleeper;
    this.nowMs = Math.max(this.nowMs, next.at);
    const due = this.sleepers.filter((s) => s.at <= this.nowMs);
    for (const s of due) this.remove(s);
    for (const s of due) s.wake();
    this.poke();
  }
}
