import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import {
  type ListedFolder,
  type ListingProgress,
  listFolderIntoLedger,
} from '../shared/ledger/folder-listing';
import { createLogger, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const { ledgerTable } = readSettings('list-folder', process.env).listing;
const clients = { s3: new S3Client({}), dynamodb: new DynamoDBClient({}) };

/** Input from the state machine: the planned folder, and where the last call stopped. */
export interface ListFolderEvent extends ListedFolder {
  listing?: { continuationToken?: string };
}

/**
 * Marker trigger: a new marker in a folder that has a dataset lists the folder into the object
 * ledger, a few pages per call, so its new objects are pending for the folder's next append batch.
 */
export const handler = async (event: ListFolderEvent): Promise<ListingProgress> => {
  const { bucket, folderKey, folderUri, listing } = event ?? {};
  if (typeof bucket !== 'string' || typeof folderKey !== 'string' || typeof folderUri !== 'string')
    throw new InvalidInputError('list-folder needs bucket, folderKey and folderUri');
  try {
    const progress = await listFolderIntoLedger(
      clients,
      ledgerTable,
      { bucket, folderKey, folderUri },
      listing?.continuationToken,
    );
    logger.info('folder listed', { folderUri, ...progress, more: progress.continuationToken !== undefined });
    return progress;
  } catch (error) {
    logFailure(logger, 'listing failed', error);
    throw TransientDependencyError.wrapIfTransient(error, 'listing the folder');
  }
};
