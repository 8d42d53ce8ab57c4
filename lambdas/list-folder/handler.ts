import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { currentTime } from '../shared/clock';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import {
  type ListedFolder,
  type ListingProgress,
  listFolderIntoLedger,
} from '../shared/ledger/folder-listing';
import { createObservability, instrumented } from '../shared/observability';
import { createLogger, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const { tracer } = observability;
const { ledgerTable } = readSettings('list-folder', process.env).listing;
const clients = {
  s3: tracer.captureAWSv3Client(new S3Client({})),
  dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
};

/** Input from the state machine: the planned folder, and where the last call stopped. */
export interface ListFolderEvent extends ListedFolder {
  /** Where the last call stopped; `startedAt`: when the listing began (it stops at its window). */
  listing?: { continuationToken?: string; calls?: number; startedAt?: string };
}

/**
 * Marker trigger: a new marker in a folder that has a dataset lists the folder into the object
 * ledger, a few pages per call, so its new objects are pending for the folder's next append batch.
 */
const listFolder = async (event: ListFolderEvent): Promise<ListingProgress> => {
  const { bucket, folderKey, folderUri, listing } = event ?? {};
  if (typeof bucket !== 'string' || typeof folderKey !== 'string' || typeof folderUri !== 'string')
    throw new InvalidInputError('list-folder needs bucket, folderKey and folderUri');
  try {
    const progress = await listFolderIntoLedger(
      clients,
      ledgerTable,
      { bucket, folderKey, folderUri },
      listing?.continuationToken,
      {
        calls: typeof listing?.calls === 'number' ? listing.calls : 0,
        startedAt: typeof listing?.startedAt === 'string' ? listing.startedAt : undefined,
        now: currentTime(),
      },
    );
    logger.info('folder listed', { folderUri, ...progress, more: progress.continuationToken !== undefined });
    return progress;
  } catch (error) {
    logFailure(logger, 'listing failed', error);
    throw TransientDependencyError.wrapIfTransient(error, 'listing the folder');
  }
};

/** The Lambda handler: {@link listFolder}, traced. */
export const handler = instrumented(observability, 'list-folder', listFolder);
