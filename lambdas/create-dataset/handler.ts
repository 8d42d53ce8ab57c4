import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { currentTime } from '../shared/clock';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import { createObservability, instrumented, observeVisualLayer } from '../shared/observability';
import { FolderRecords } from '../shared/record/record-store';
import { createLogger, createVisualLayerClient, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';
import { createDatasetOnce } from '../shared/visual-layer/create-dataset';
import { decidePushback, pushbackOf } from '../shared/visual-layer/pushback';

const logger = createLogger();
const observability = createObservability();
const { metrics, tracer } = observability;
const settings = readSettings('create-dataset', process.env);
const client = createVisualLayerClient(settings.visualLayer, {
  tracer,
  onExchange: observeVisualLayer(metrics),
});
const records = new FolderRecords(
  tracer.captureAWSv3Client(new DynamoDBClient({})),
  settings.records.recordsTable,
);

/** Input from the state machine. */
export interface CreateDatasetEvent {
  folderUri: string;
  datasetName: string;
  /** When this attempt began (the execution's start time): datasets made since may be adopted. */
  notBefore: string;
  /** When the attempt's deadline started counting (`maxWaitMinutes` from then). */
  since: string;
  /** Waits Visual Layer asked for so far in this create, and the last one's length in seconds. */
  waits?: number;
  waitSeconds?: number;
}

/** What every answer to the state machine carries: the deadline's start and the waits so far. */
interface AnswerBase {
  since: string;
  waits: number;
  /** The wait the state machine makes before trying again (WAIT), 0 otherwise. */
  waitSeconds: number;
}

/** Output to the state machine: the dataset, or a wait Visual Layer asked for, or giving up at the deadline. */
export type CreateDatasetResult =
  | (AnswerBase & {
      outcome: 'CREATED';
      datasetId: string;
      datasetUrl: string;
      adopted: boolean;
      createdAt: string;
    })
  | (AnswerBase & { outcome: 'WAIT' | 'TIMED_OUT'; message: string });

/**
 * Creates (or adopts) the Visual Layer dataset for one folder. A record that already holds a dataset
 * (its folder was claimed again after its execution was lost) resumes that one: never a second.
 * Visual Layer pushing back (429, 503) is answered with a wait for the state machine to make — as
 * long as its Retry-After, or a backoff with jitter — until the attempt's deadline.
 */
const createDataset = async (event: CreateDatasetEvent): Promise<CreateDatasetResult> => {
  const request = parseEvent(event);
  const base = { since: request.since.toISOString(), waits: request.waits, waitSeconds: 0 };
  logger.appendKeys({ folderUri: request.folderUri });
  try {
    const resumed = await records.datasetIdOf(request.folderUri).catch((error: unknown) => {
      throw TransientDependencyError.wrapIfTransient(error, 'reading the folder record');
    });
    const { datasetId, adopted } = resumed
      ? { datasetId: resumed, adopted: true }
      : await createDatasetOnce(client, request);
    logger.info(adopted ? 'adopted an existing dataset' : 'created dataset', {
      datasetId,
      resumed: !!resumed,
    });
    return {
      ...base,
      outcome: 'CREATED',
      datasetId,
      datasetUrl: client.datasetPageUrl(datasetId),
      adopted,
      createdAt: currentTime().toISOString(),
    };
  } catch (error) {
    const pushback = pushbackOf(error);
    if (!pushback) {
      logFailure(logger, 'create failed', error);
      throw error;
    }
    const decision = decidePushback({
      pushback,
      since: request.since,
      now: currentTime(),
      waits: request.waits,
      lastWaitSeconds: request.waitSeconds,
      limits: settings.polling,
      random: Math.random,
    });
    logger.warn('Visual Layer asked to wait', { ...decision });
    return { ...base, ...decision, waits: request.waits + (decision.outcome === 'WAIT' ? 1 : 0) };
  } finally {
    logger.resetKeys();
  }
};

/** The Lambda handler: {@link createDataset}, traced, its Visual Layer requests counted. */
export const handler = instrumented(observability, 'create-dataset', createDataset);

function parseEvent(event: CreateDatasetEvent) {
  const { folderUri, datasetName, notBefore, since, waits, waitSeconds } = event ?? {};
  if (typeof folderUri !== 'string' || !folderUri.startsWith('s3://')) {
    throw new InvalidInputError('create-dataset needs folderUri "s3://bucket/folder/"');
  }
  if (typeof datasetName !== 'string' || datasetName.trim() === '') {
    throw new InvalidInputError('create-dataset needs a non-empty datasetName');
  }
  return {
    folderUri,
    datasetName,
    notBefore: isoDate(notBefore, 'notBefore'),
    since: isoDate(since, 'since'),
    waits: Number(waits) || 0,
    waitSeconds: Number(waitSeconds) || 0,
  };
}

function isoDate(value: unknown, name: string): Date {
  const date = new Date(typeof value === 'string' ? value : Number.NaN);
  if (Number.isNaN(date.getTime()))
    throw new InvalidInputError(`create-dataset needs ${name} as an ISO timestamp`);
  return date;
}
