import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { currentTime } from '../shared/clock';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import { readFolderObjects } from '../shared/ledger/ledger-store';
import { decideSettle, type SettleDecision } from '../shared/ledger/settle';
import { createObservability, instrumented } from '../shared/observability';
import { createLogger, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const dynamodb = observability.tracer.captureAWSv3Client(new DynamoDBClient({}));
const { ledgerTable, ...limits } = readSettings('settle-folder', process.env).settling;

/** Input from the state machine's settle loop. */
export interface SettleEvent {
  folderUri: string;
  claimedAt: string;
  /** Checks made before this one. */
  checks?: number;
}

/** Tells the settle loop whether the folder has been quiet long enough to create its dataset. */
const settleFolder = async (event: SettleEvent): Promise<SettleDecision> => {
  const folderUri = event?.folderUri;
  const claimedAt = new Date(typeof event?.claimedAt === 'string' ? event.claimedAt : Number.NaN);
  if (typeof folderUri !== 'string' || !folderUri.startsWith('s3://'))
    throw new InvalidInputError('settle needs folderUri');
  if (Number.isNaN(claimedAt.getTime()))
    throw new InvalidInputError('settle needs claimedAt as an ISO timestamp');
  try {
    const { lateCount: _none, ...objects } = await readFolderObjects(dynamodb, ledgerTable, folderUri);
    const decision = decideSettle(objects, claimedAt, limits, currentTime(), Number(event.checks) || 0);
    // The record wants timestamps: a folder with no recorded object (cap reached) uses its claim time.
    return {
      ...decision,
      firstObjectAt: decision.firstObjectAt ?? event.claimedAt,
      lastObjectAt: decision.lastObjectAt ?? event.claimedAt,
    };
  } catch (error) {
    logFailure(logger, 'settle check failed', error);
    throw TransientDependencyError.wrapIfTransient(error, 'reading the object ledger');
  }
};

/** The Lambda handler: {@link settleFolder}, traced. */
export const handler = instrumented(observability, 'settle-folder', settleFolder);
