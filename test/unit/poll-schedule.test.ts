import { describe, expect, it } from 'vitest';
import { decideAfterPoll, type PollState } from '../../lambdas/shared/polling/poll';
import { nextPollInterval, type ProgressTrack } from '../../lambdas/shared/polling/schedule';
import { parseDatasetStatus } from '../../lambdas/shared/visual-layer/responses';

const BOUNDS = { minSeconds: 30, maxSeconds: 300 };
const LIMITS = { ...BOUNDS, maxWaitMinutes: 3 * 24 * 60, maxPolls: 10_000 };
const START = Date.parse('2026-11-29T00:00:00Z');

/** What Visual Layer answers `t` seconds after the create: a status word and a progress (or none). */
type Answer = (t: number) => { ready: boolean; progress: number | null };

interface Run {
  checks: number;
  /** Seconds between the dataset becoming READY and the check that saw it. */
  lag: number;
  /** Every wait chosen, with what it was drawn from, and the progress read just before it. */
  waits: { at: number; seconds: number; basis: string; progress: number | null }[];
}

/**
 * Runs the poll loop as the state machine does: wait, check (decideAfterPoll), carry what the
 * decision returns to the next check. The first wait is pollIntervalSeconds.
 */
function poll(answer: Answer, readyAt: number, limits = LIMITS): Run {
  let t = limits.minSeconds;
  let state: PollState = { polls: 0, lastWaitSeconds: limits.minSeconds, since: new Date(START) };
  const waits: Run['waits'] = [];
  for (;;) {
    const { ready, progress } = answer(t);
    const status = parseDatasetStatus({ status_new: ready ? 'READY' : 'INDEXING', progress });
    const d = decideAfterPoll(status, state, limits, new Date(START + t * 1000));
    if (d.outcome !== 'IN_PROGRESS') return { checks: d.polls, lag: t - readyAt, waits };
    waits.push({ at: t, seconds: d.nextWaitSeconds, basis: d.basis, progress });
    t += d.nextWaitSeconds;
    state = { polls: d.polls, lastWaitSeconds: d.nextWaitSeconds, since: state.since, track: d.track };
  }
}

/** Indexing whose progress grows linearly to 100 at `seconds`, reported in whole percents, then READY. */
const linear =
  (seconds: number): Answer =>
  (t) => ({ ready: t >= seconds, progress: t >= seconds ? 100 : Math.floor((t / seconds) * 100) });

/** Checks a fixed 30 s loop makes until it sees READY. */
const fixedLoopChecks = (seconds: number) => Math.ceil(seconds / 30);

describe('poll schedule: steady progress', () => {
  it.each([
    [2 * 3600, 10],
    [8 * 3600, 20],
  ])(
    'a %i s linear run is noticed ≤ 60 s after READY with ≥ %i× fewer checks than every 30 s',
    (seconds, factor) => {
      const run = poll(linear(seconds), seconds);
      expect(run.lag).toBeGreaterThanOrEqual(0);
      expect(run.lag).toBeLessThanOrEqual(60);
      expect(run.checks * factor).toBeLessThanOrEqual(fixedLoopChecks(seconds));
    },
  );

  it.each([60, 600, 1800, 4 * 3600, 24 * 3600])(
    'a %i s linear run is noticed ≤ 60 s after READY',
    (seconds) => {
      expect(poll(linear(seconds), seconds).lag).toBeLessThanOrEqual(60);
    },
  );

  it('waits longer than maxPollIntervalSeconds while the estimate says the end is far', () => {
    const run = poll(linear(8 * 3600), 8 * 3600);
    const estimated = run.waits.filter((w) => w.basis === 'estimate');
    expect(Math.max(...estimated.map((w) => w.seconds))).toBeGreaterThan(BOUNDS.maxSeconds);
  });

  it('never waits past the deadline, even on an estimate', () => {
    const limits = { ...LIMITS, maxWaitMinutes: 60 };
    const run = poll(linear(8 * 3600), 8 * 3600, limits);
    const last = run.waits.at(-1);
    expect((last?.at ?? 0) + (last?.seconds ?? 0)).toBeLessThanOrEqual(3600);
  });
});

describe('poll schedule: no usable estimate → the bounded backoff', () => {
  /** The waits of a run whose answers are `progress(t)` until READY at `readyAt`. */
  const waitsOf = (progress: (t: number) => number | null, readyAt: number) =>
    poll((t) => ({ ready: t >= readyAt, progress: t >= readyAt ? 100 : progress(t) }), readyAt).waits;

  it('missing progress: the old backoff, 30 s growing ×1.5 to maxPollIntervalSeconds', () => {
    const waits = waitsOf(() => null, 3 * 3600);
    expect(waits.every((w) => w.basis === 'backoff')).toBe(true);
    let expected = BOUNDS.minSeconds;
    for (const w of waits) {
      expected = nextPollInterval(expected, BOUNDS);
      expect(w.seconds).toBe(expected);
    }
  });

  it('stalled progress: the backoff while it stalls, the estimate again once it moves steadily', () => {
    // 1 %/min to 40 % at 40 min, stuck at 40 % for 2 h, then 1 %/min again.
    const progress = (t: number) => {
      const minutes = t / 60;
      if (minutes < 40) return Math.floor(minutes);
      if (minutes < 160) return 40;
      return Math.min(99, Math.floor(40 + minutes - 160));
    };
    const waits = waitsOf(progress, 220 * 60);
    const stalled = waits.filter((w) => w.at > 45 * 60 && w.at < 160 * 60);
    expect(stalled.length).toBeGreaterThan(0);
    expect(stalled.filter((w) => w.basis === 'backoff').length).toBeGreaterThan(0);
    // Once the stall shows, no estimate is drawn from it: every wait is the capped backoff.
    const shown = stalled.findIndex((w) => w.basis === 'backoff');
    for (const w of stalled.slice(shown)) {
      expect(w.basis).toBe('backoff');
      expect(w.seconds).toBeLessThanOrEqual(BOUNDS.maxSeconds);
    }
    expect(waits.filter((w) => w.at > 170 * 60).some((w) => w.basis === 'estimate')).toBe(true);
  });

  it('jumping progress: a leap off the line gives no estimate for that check', () => {
    // 0.5 %/min, then from 30 min a leap to 90 %.
    const progress = (t: number) => (t < 30 * 60 ? Math.floor(t / 120) : 90);
    const waits = waitsOf(progress, 3 * 3600);
    const leap = waits.find((w) => w.progress === 90);
    expect(leap).toMatchObject({ basis: 'backoff' });
    expect(leap?.seconds).toBeLessThanOrEqual(BOUNDS.maxSeconds);
  });

  it('progress going backwards: the backoff, and the run starts over from there', () => {
    // 1 %/min to 60 % at 1 h, then a restart at 20 % going on at 1 %/min.
    const progress = (t: number) =>
      t < 3600 ? Math.floor(t / 60) : Math.min(99, 20 + Math.floor((t - 3600) / 60));
    const waits = waitsOf(progress, 3600 + 80 * 60);
    const back = waits.findIndex((w) => w.at >= 3600);
    expect(waits[back]).toMatchObject({ basis: 'backoff' });
    expect(waits[back]?.seconds).toBeLessThanOrEqual(BOUNDS.maxSeconds);
    expect(waits.slice(back + 1).some((w) => w.basis === 'estimate')).toBe(true);
  });

  it('progress at 100 without READY: the backoff until Visual Layer says READY', () => {
    const waits = waitsOf((t) => Math.min(100, Math.floor(t / 36)), 2 * 3600);
    const done = waits.filter((w) => w.progress === 100);
    expect(done.length).toBeGreaterThan(0);
    for (const w of done) expect(w.basis).toBe('backoff');
  });

  it('carries only a baseline and the previous reading between checks', () => {
    const status = parseDatasetStatus({ status_new: 'INDEXING', progress: 50 });
    const track: ProgressTrack = {
      baseline: { at: new Date(START).toISOString(), progress: 10 },
      previous: { at: new Date(START + 600_000).toISOString(), progress: 30 },
    };
    const d = decideAfterPoll(
      status,
      { polls: 3, lastWaitSeconds: 600, since: new Date(START), track },
      LIMITS,
      new Date(START + 1_200_000),
    );
    expect(d.basis).toBe('estimate');
    expect(d.track).toEqual({
      baseline: track.baseline,
      previous: { at: new Date(START + 1_200_000).toISOString(), progress: 50 },
    });
    expect(JSON.stringify(d.track).length).toBeLessThan(200);
  });
});
