import type { EventBridgeEvent } from 'aws-lambda';
import { requireEnv } from '../shared/env';
import { InvalidInputError } from '../shared/errors';
import { createLogger, logFailure } from '../shared/runtime';
import {
  decodeS3EventKey,
  type FolderPlan,
  type FolderRules,
  planFolder,
  type SkipPlan,
} from '../shared/s3-key';

const logger = createLogger();
const rules: FolderRules = {
  prefix: process.env.FOLDER_PREFIX ?? '',
  folderDepth: Number(requireEnv(process.env, 'FOLDER_DEPTH')),
  trigger: process.env.TRIGGER === 'marker' ? 'marker' : 'quiet',
  markerName: process.env.MARKER_NAME ?? '_READY',
  datasetNamePrefix: process.env.DATASET_NAME_PREFIX ?? '',
};

/** The part of an S3 "Object Created" event the pipeline reads. */
export interface ObjectCreatedDetail {
  bucket?: { name?: unknown };
  object?: { key?: unknown; size?: unknown };
}

/** The plan, plus when the object was created. */
export type PlanResult = (FolderPlan | SkipPlan) & { objectCreatedAt: string };

/** Decodes the object key of an S3 "Object Created" event and names its dataset folder. */
export const handler = async (event: EventBridgeEvent<string, ObjectCreatedDetail>): Promise<PlanResult> => {
  try {
    const object = parseEvent(event);
    const plan = planFolder(object, rules);
    if (plan.action === 'skip') logger.info('object skipped', { key: plan.key, reason: plan.reason });
    const time =
      typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)) ? event.time : undefined;
    return { ...plan, objectCreatedAt: time ?? new Date().toISOString() };
  } catch (error) {
    logFailure(logger, 'event rejected', error);
    throw error;
  }
};

function parseEvent(event: EventBridgeEvent<string, ObjectCreatedDetail>) {
  if (event?.source !== 'aws.s3' || event['detail-type'] !== 'Object Created') {
    throw new InvalidInputError(
      `expected an S3 "Object Created" event, got source="${String(event?.source)}" detail-type="${String(event?.['detail-type'])}"`,
    );
  }
  const bucket = event.detail?.bucket?.name;
  const key = event.detail?.object?.key;
  if (typeof bucket !== 'string' || bucket === '')
    throw new InvalidInputError('event has no detail.bucket.name');
  if (typeof key !== 'string' || key === '') throw new InvalidInputError('event has no detail.object.key');
  const size = event.detail?.object?.size;
  return { bucket, key: decodeS3EventKey(key), size: typeof size === 'number' ? size : undefined };
}
