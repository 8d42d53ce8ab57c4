/**
 * The simulator's time-based lifecycle: a dataset indexes for a fixed time on the simulator's clock
 * with a progress growing linearly, then shows its outcome — the shape a pipeline's poll schedule is
 * measured against. Reads never move it; only time does.
 */

/** What a time-based dataset shows at a moment. */
export interface PacedState {
  word: string;
  /** Whole percents, as Visual Layer reports them. */
  progress: number;
  done: boolean;
}

/** A dataset as the pace reads it. */
export interface PacedDataset {
  createdAt: Date;
  lifecycle: { indexingSeconds?: number; outcome: string; inProgressWord?: string };
}

/**
 * The state of a time-based dataset at `nowMs`: INDEXING with `floor(elapsed / indexingSeconds × 100)`
 * percent until `indexingSeconds` have passed, then the outcome (READY at 100 %). Undefined when the
 * dataset's lifecycle is not time-based.
 */
export function pacedState(dataset: PacedDataset, nowMs: number): PacedState | undefined {
  const { indexingSeconds, outcome, inProgressWord } = dataset.lifecycle;
  if (indexingSeconds === undefined) return undefined;
  const elapsed = (nowMs - dataset.createdAt.getTime()) / 1000;
  if (outcome === 'NEVER' || elapsed < indexingSeconds) {
    const share = indexingSeconds > 0 ? elapsed / indexingSeconds : 1;
    return {
      word: inProgressWord ?? 'INDEXING',
      progress: Math.min(99, Math.floor(share * 100)),
      done: false,
    };
  }
  return { word: outcome, progress: outcome === 'READY' ? 100 : 0, done: true };
}

/** Time-based datasets still in progress at `nowMs`: what a limit on datasets in progress counts. */
export function inProgressAt(datasets: Iterable<PacedDataset>, nowMs: number): number {
  let count = 0;
  for (const dataset of datasets) if (pacedState(dataset, nowMs)?.done === false) count += 1;
  return count;
}
