import { InvalidInputError } from '../shared/errors';
import { asFailedCheck } from '../shared/polling/failed-check';
import { decideAfterPoll, type PollDecision, type PollLimits } from '../shared/polling/poll';
import { type ProgressTrack, readProgressTrack } from '../shared/polling/schedule';
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
  /** The progress readings of the earlier checks, as the last decision returned them. */
  track?: ProgressTrack;
}

/** Reads a dataset's status once and decides the loop's next step. */
export const handler = async (event: CheckStatusEvent): Promise<PollDecision> => {
  const { datasetId, since, polls, lastWaitSeconds, track } = parseEvent(event);
  try {
    const status = await client.getDatasetStatus(datasetId);
    if (status.unknownStatus && !reportedUnknown.has(status.vlStatus)) {
      reportedUnknown.add(status.vlStatus);
      logger.warn('unknown Visual Layer status, treated as in progress', {
        datasetId,
        vlStatus: status.vlStatus,
      });
    }
    return decideAfterPoll(status, { polls, lastWaitSeconds, since, track }, limits, new Date());
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
    track: readProgressTrack(event.track),
  };
}
