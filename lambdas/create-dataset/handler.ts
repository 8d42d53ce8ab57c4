import { InvalidInputError } from '../shared/errors';
import { createLogger, createVisualLayerClient, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';
import { createDatasetOnce } from '../shared/visual-layer/create-dataset';

const logger = createLogger();
const client = createVisualLayerClient(readSettings('create-dataset', process.env).visualLayer);

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

/** Creates (or adopts) the Visual Layer dataset for one folder. */
export const handler = async (event: CreateDatasetEvent): Promise<CreateDatasetResult> => {
  const request = parseEvent(event);
  logger.appendKeys({ folderUri: request.folderUri });
  try {
    const { datasetId, adopted } = await createDatasetOnce(client, request);
    logger.info(adopted ? 'adopted dataset from an earlier attempt' : 'created dataset', { datasetId });
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
