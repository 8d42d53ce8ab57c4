import { InvalidInputError } from '../shared/errors';
import {
  countFailedCheck,
  countPollOutcome,
  createObservability,
  instrumented,
  observeVisualLayer,
} from '../shared/observability';
import { asFailedCheck } from '../shared/polling/failed-check';
import { decideAfterPoll, type PollDecision, type PollLimits } from '../shared/polling/poll';
import { createLogger, createVisualLayerClient, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

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
  since: string;
  polls?: number;
  lastWaitSeconds?: number;
}

/** Reads a dataset's status once and decides the loop's next step; counts the ends and failed checks. */
const checkStatus = async (event: CheckStatusEvent): Promise<PollDecision> => {
  const { datasetId, since, polls, lastWaitSeconds } = parseEvent(event);
  try {
    const status = await client.getDatasetStatus(datasetId);
    if (status.unknownStatus && !reportedUnknown.has(status.vlStatus)) {
      reportedUnknown.add(status.vlStatus);
      logger.warn('unknown Visual Layer status, treated as in progress', {
        datasetId,
        vlStatus: status.vlStatus,
      });
    }
    const decision = decideAfterPoll(status, { polls, lastWaitSeconds, since }, limits, new Date());
    countPollOutcome(metrics, decision, since);
    return decision;
  } catch (error) {
    const failure = asFailedCheck(error);
    countFailedCheck(metrics);
    logFailure(logger, 'status check failed', failure);
    throw failure;
  }
};

/** The Lambda handler: {@link checkStatus}, traced, its metrics flushed. */
export const handler = instrumented(observability, 'check-status', checkStatus);

function parseEvent(event: CheckStatusEvent) {
  const { datasetId, since, polls = 0, lastWaitSeconds = 0 } = event ?? {};
  if (typeof datasetId !== 'string' || datasetId === '')
    throw new InvalidInputError('check-status needs a datasetId');
  const sinceDate = new Date(typeof since === 'string' ? since : Number.NaN);
  if (Number.isNaN(sinceDate.getTime()))
    throw new InvalidInputError('check-status needs since as an ISO timestamp');
  return {
    datasetId,
    since: sinceDate,
    polls: Number(polls) || 0,
    lastWaitSeconds: Number(lastWaitSeconds) || 0,
  };
}
