import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { BatchContext, type BatchRef } from '../shared/append/batch-context';
import { type FinishInput, finishBatch } from '../shared/append/finish-batch';
import { type SendState, sendBatch } from '../shared/append/send-batch';
import { InvalidInputError, TransientDependencyError } from '../shared/errors';
import {
  countAppendBatch,
  createObservability,
  instrumented,
  observeVisualLayer,
} from '../shared/observability';
import { createLogger, createVisualLayerClient, logFailure } from '../shared/runtime';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const { metrics, tracer } = observability;
const settings = readSettings('append-media', process.env);
const clients = {
  dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
  s3: tracer.captureAWSv3Client(new S3Client({})),
  sfn: tracer.captureAWSv3Client(new SFNClient({})),
  client: createVisualLayerClient(settings.visualLayer, { tracer, onExchange: observeVisualLayer(metrics) }),
};
const contexts = new Map<string, BatchContext>();

/** Input from the state machine: which step, for which folder (and batch). */
export type AppendMediaEvent = { stateMachineArn: string; folderUri: string; settleNext: boolean } & (
  | { action: 'next' }
  | { action: 'send'; batch: Omit<BatchRef, 'folderUri'>; send: SendState }
  | ({ action: 'finish'; batch: Omit<BatchRef, 'folderUri'> } & Omit<FinishInput, 'settleNext'>)
);

/**
 * The append batches' steps: `next` starts the folder's next batch when objects wait to be sent (after
 * the create, after a marker); `send` writes a batch's manifest and posts add_media once; `finish`
 * records how the batch ended and starts the next one when objects are pending.
 */
const appendMedia = async (event: AppendMediaEvent): Promise<unknown> => {
  const { folderUri, stateMachineArn, settleNext } = event ?? {};
  if (typeof folderUri !== 'string' || !folderUri.startsWith('s3://'))
    throw new InvalidInputError('append-media needs folderUri "s3://bucket/folder/"');
  if (typeof stateMachineArn !== 'string' || stateMachineArn === '')
    throw new InvalidInputError('append-media needs the stateMachineArn');
  const context = contextFor(stateMachineArn);
  logger.appendKeys({ folderUri, action: event.action });
  try {
    if (event.action === 'next') return await context.next(folderUri, settleNext === true);
    const ref = refOf(folderUri, event.batch);
    if (event.action === 'send') return await sendBatch(context, ref, event.send ?? {});
    if (event.action === 'finish') {
      const result = await finishBatch(context, ref, {
        poll: event.poll,
        failure: event.failure,
        settleNext,
      });
      logger.info('append batch ended', { ...result });
      countAppendBatch(metrics, result);
      return result;
    }
    throw new InvalidInputError(
      `append-media has no action ${JSON.stringify((event as { action?: unknown }).action)}`,
    );
  } catch (error) {
    logFailure(logger, `append ${event.action} failed`, error);
    throw TransientDependencyError.wrapIfTransient(error, `the append step ${event.action}`);
  } finally {
    logger.resetKeys();
  }
};

/** The Lambda handler: {@link appendMedia}, traced, its metrics flushed. */
export const handler = instrumented(observability, 'append-media', appendMedia);

function contextFor(stateMachineArn: string): BatchContext {
  let context = contexts.get(stateMachineArn);
  if (!context) {
    context = new BatchContext({
      ...clients,
      ...settings.appending,
      polling: settings.polling,
      stateMachineArn,
    });
    contexts.set(stateMachineArn, context);
  }
  return context;
}

function refOf(folderUri: string, batch: Partial<BatchRef> | undefined): BatchRef {
  const { datasetId, generation, token } = batch ?? {};
  if (typeof datasetId !== 'string' || typeof token !== 'string' || typeof generation !== 'number')
    throw new InvalidInputError('append-media needs the batch: datasetId, generation and token');
  return { folderUri, datasetId, generation, token };
}
