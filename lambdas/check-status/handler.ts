import { InvalidInputError } from '../shared/errors';
import { asFailedCheck } from '../shared/polling/failed-check';
import { decideAfterPoll, type PollDecision, type PollLimits } from '../shared/polling/poll';
import { createLogger, createVisualLayerClient, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const settings = readSettings('check-status', process.env);
const client = createVisualLayerClient(settings.visualLayer);
const limits: PollLimits = settings.polling;
const reportedUnknown = new Set<string>();

/** Input from the state machine's poll loop. */
export interface CheckStatusEvent {
  datasetId: string;
  since: string;
  polls?: number;
  lastWaitSeconds?: number;
  /** A status word that ends the loop as READY does (an append with reindex=manual: PARTIAL_INDEX). */
  endsAt?: string;
}

/** Reads a dataset's status once and decides the loop's next step. */
export const handler = async (event: CheckStatusEvent): Promise<PollDecision> => {
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
    const ended = event.endsAt !== undefined && status.vlStatus === event.endsAt;
    const reading = ended ? { ...status, outcome: 'READY' as const } : status;
    return decideAfterPoll(reading, { polls, lastWaitSeconds, since }, limits, new Date());
  } catch (error) {
    const failure = asFailedCheck(error);
    logFailure(logger, 'status check failed', failure);
    throw failure;
  }
};

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
