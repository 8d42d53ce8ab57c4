import { InvalidInputError } from '../errors';
import { decodeS3EventKey, type S3ObjectRef } from './s3-key';

/** The part of an S3 "Object Created" EventBridge event the pipeline reads. */
export interface ObjectCreatedEvent {
  source?: unknown;
  'detail-type'?: unknown;
  time?: unknown;
  detail?: {
    bucket?: { name?: unknown };
    object?: { key?: unknown; size?: unknown; sequencer?: unknown; etag?: unknown };
  };
}

/** An object event, read and decoded. */
export interface ObjectSeen extends S3ObjectRef {
  /** When S3 created the object (the event's `time`). */
  objectAt: string;
  /** S3's order of events for this key (hex; a later write of the key has a greater one). */
  sequencer?: string;
  etag?: string;
}

/**
 * Reads an S3 "Object Created" event as EventBridge delivers it and decodes its key.
 *
 * @throws InvalidInputError naming what is missing or wrong.
 */
export function readObjectCreatedEvent(event: ObjectCreatedEvent | null | undefined): ObjectSeen {
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
  const { size, sequencer, etag } = event.detail?.object ?? {};
  const time =
    typeof event.time === 'string' && !Number.isNaN(Date.parse(event.time)) ? event.time : undefined;
  if (!time) throw new InvalidInputError('event has no valid time');
  return {
    bucket,
    key: decodeS3EventKey(key),
    size: typeof size === 'number' ? size : undefined,
    objectAt: time,
    ...(typeof sequencer === 'string' && sequencer !== '' ? { sequencer } : {}),
    ...(typeof etag === 'string' && etag !== '' ? { etag } : {}),
  };
}
