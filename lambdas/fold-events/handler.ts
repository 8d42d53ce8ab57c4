import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { foldBatch } from '../shared/ledger/folder-batch';
import { FolderClaims } from '../shared/ledger/folder-claims';
import { createObservability, instrumented } from '../shared/observability';
import { createLogger, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const { tracer } = observability;
const FOLDERS_AT_ONCE = 10;
const { folderRules: rules, folding } = readSettings('fold-events', process.env);
const claims = new FolderClaims({
  dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
  sfn: tracer.captureAWSv3Client(new SFNClient({})),
  ...folding,
});

/**
 * Quiet trigger: folds a batch of queued S3 object events per folder, records the objects, and
 * makes sure each folder has its one execution. Messages of a folder that could not be handled are
 * returned as failures, so SQS delivers them again and, after the last try, to the dead-letter queue.
 */
const foldEvents = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const folded = foldBatch(
    event.Records.map((r) => ({ messageId: r.messageId, body: r.body })),
    rules,
  );
  const failures: string[] = [];
  for (const bad of folded.unreadable) {
    logger.error('message is not an S3 Object Created event', {
      messageId: bad.messageId,
      reason: bad.reason,
    });
    failures.push(bad.messageId);
  }
  // A few folders at a time: a batch can hold hundreds, and each costs several requests.
  const results: PromiseSettledResult<Awaited<ReturnType<FolderClaims['ingest']>>>[] = [];
  for (let i = 0; i < folded.folders.length; i += FOLDERS_AT_ONCE) {
    const slice = folded.folders.slice(i, i + FOLDERS_AT_ONCE);
    results.push(...(await Promise.allSettled(slice.map((folder) => claims.ingest(folder)))));
  }
  results.forEach((result, i) => {
    const folder = folded.folders[i];
    if (!folder) return;
    if (result.status === 'fulfilled') {
      logger.info('folder batch', {
        folderUri: folder.folderUri,
        objects: folder.objects.length,
        ...result.value,
      });
    } else {
      logFailure(logger, `folder batch failed for ${folder.folderUri}`, result.reason);
      failures.push(...folder.messageIds);
    }
  });
  if (folded.skipped.length > 0) {
    // One line per batch, each distinct reason with how many objects it skipped.
    const reasons: Record<string, number> = {};
    for (const { reason } of folded.skipped) reasons[reason] = (reasons[reason] ?? 0) + 1;
    logger.info('objects skipped', { count: folded.skipped.length, reasons });
  }
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
};

/** The Lambda handler: {@link foldEvents}, traced. */
export const handler = instrumented(observability, 'fold-events', foldEvents);
