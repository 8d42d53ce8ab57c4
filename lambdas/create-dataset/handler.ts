import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import { createObservability, instrumented, observeVisualLayer } from '../shared/observability';
import { FolderRecords } from '../shared/record/record-store';
import { createLogger, createVisualLayerClient, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';
import { createDatasetOnce } from '../shared/visual-layer/create-dataset';

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
  /** When this attempt began (the execution's start time). */
  notBefore: string;
}

/** Output to the state machine. */
export interface CreateDatasetResult {
  datasetId: string;
  datasetUrl: string;
  adopted: boolean;
  createdAt: string;
}

/**
 * Creates (or adopts) the Visual Layer dataset for one folder. A record that already holds a dataset
 * (its folder was claimed again after its execution was lost) resumes that one: never a second.
 */
const createDataset = async (event: CreateDatasetEvent): Promise<CreateDatasetResult> => {
  const request = parseEvent(event);
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
      datasetId,
      datasetUrl: client.datasetPageUrl(datasetId),
      adopted,
      createdAt: new Date().toISOString(),
    };
  } catch (error) {
    logFailure(logger, 'create failed', error);
    throw error;
  } finally {
    logger.resetKeys();
  }
};

/** The Lambda handler: {@link createDataset}, traced, its Visual Layer requests counted. */
export const handler = instrumented(observability, 'create-dataset', createDataset);

function parseEvent(event: CreateDatasetEvent) {
  const { folderUri, datasetName, notBefore } = event ?? {};
  if (typeof folderUri !== 'string' || !folderUri.startsWith('s3://')) {
    throw new InvalidInputError('create-dataset needs folderUri "s3://bucket/folder/"');
  }
  if (typeof datasetName !== 'string' || datasetName.trim() === '') {
    throw new InvalidInputError('create-dataset needs a non-empty datasetName');
  }
  const since = new Date(typeof notBefore === 'string' ? notBefore : Number.NaN);
  if (Number.isNaN(since.getTime()))
    throw new InvalidInputError('create-dataset needs notBefore as an ISO timestamp');
  return { folderUri, datasetName, notBefore: since };
}
