import { currentTime } from '../shared/clock';
import { InvalidInputError } from '../shared/errors';
import {
  countFailedCheck,
  countPollOutcome,
  createObservability,
  instrumented,
  observeVisualLayer,
} from '../shared/observability';
import { asFailedCheck } from '../shared/polling/failed-check';
import {
  decideAfterPoll,
  decideAfterPushback,
  type LastReading,
  type PollDecision,
  type PollLimits,
  type PollState,
} from '../shared/polling/poll';
import { readProgressTrack } from '../shared/polling/schedule';
import { createLogger, createVisualLayerClient, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';
import { pushbackOf } from '../shared/visual-layer/pushback';

const logger = createLogger();
const observability = createObservability();
const { metrics, tracer } = observability;
const settings = readSettings('check-status', process.env);
const client = createVisualLayerClient(settings.visualLayer, {
  tracer,
  onExchange: observeVisualLayer(metrics),
});
const limits: PollLimits = settings.polling;
const reportedUnknown = new Set<string>();

/** Input from the state machine's poll loop. */
export interface CheckStatusEvent {
  datasetId: string;
  /** When the attempt began: the deadline counts from here. */
  since: string;
  /** The loop's last decision (`$.poll.value`): checks so far, the last wait, the progress readings. */
  last?: Partial<PollDecision>;
  /** A status word that ends the loop as READY does (an append with reindex=manual: PARTIAL_INDEX). */
  endsAt?: string;
  /** An append batch's check: its end is the batch's, not a folder outcome, and is not counted as one. */
  append?: boolean;
}

/**
 * Reads a dataset's status once and decides the loop's next step; counts the ends and failed checks.
 * Visual Layer pushing back (429, 503) is a wait, not a failed check.
 */
const checkStatus = async (event: CheckStatusEvent): Promise<PollDecision> => {
  const { datasetId, state, last } = parseEvent(event);
  try {
    const status = await client.getDatasetStatus(datasetId);
    if (status.unknownStatus && !reportedUnknown.has(status.vlStatus)) {
      reportedUnknown.add(status.vlStatus);
      logger.warn('unknown Visual Layer status, treated as in progress', {
        datasetId,
        vlStatus: status.vlStatus,
      });
    }
    const ended = event.endsAt !== undefined && status.vlStatus === event.endsAt;
    const reading = ended ? { ...status, outcome: 'READY' as const } : status;
    const decision = decideAfterPoll(reading, state, limits, currentTime());
    if (event.append !== true) countPollOutcome(metrics, decision, state.since);
    return decision;
  } catch (error) {
    const pushback = pushbackOf(error);
    if (pushback) {
      const decision = decideAfterPushback(pushback, state, last, limits, currentTime(), Math.random);
      logger.warn('Visual Layer asked to wait', { datasetId, nextWaitSeconds: decision.nextWaitSeconds });
      return decision;
    }
    const failure = asFailedCheck(error);
    countFailedCheck(metrics);
    logFailure(logger, 'status check failed', failure);
    throw failure;
  }
};

/** The Lambda handler: {@link checkStatus}, traced, its metrics flushed. */
export const handler = instrumented(observability, 'check-status', checkStatus);

function parseEvent(event: CheckStatusEvent): { datasetId: string; state: PollState; last: LastReading } {
  const { datasetId, since } = event ?? {};
  if (typeof datasetId !== 'string' || datasetId === '')
    throw new InvalidInputError('check-status needs a datasetId');
  const sinceDate = new Date(typeof since === 'string' ? since : Number.NaN);
  if (Number.isNaN(sinceDate.getTime()))
    throw new InvalidInputError('check-status needs since as an ISO timestamp');
  const last = event.last ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    datasetId,
    state: {
      since: sinceDate,
      polls: number(last.polls) ?? 0,
      lastWaitSeconds: number(last.nextWaitSeconds) ?? 0,
      track: readProgressTrack(last.track),
    },
    last: {
      vlStatus: text(last.vlStatus),
      progress: number(last.progress),
      nImages: number(last.nImages),
      nVideos: number(last.nVideos),
      failures: number(last.failures),
    },
  };
}
