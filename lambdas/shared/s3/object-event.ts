import { InvalidInputError } from '../errors';
import { decodeS3EventKey, encodeS3EventKey, type S3ObjectRef } from './s3-key';

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

/** What {@link objectCreatedEvent} builds an event of. */
export interface ObjectCreatedFields {
  bucket: string;
  /** The decoded key; the event carries it encoded, as S3 sends it. */
  key: string;
  size: number;
  sequencer: string;
  etag?: string;
  time: Date;
  id: string;
  account: string;
  region: string;
  /** Who wrote the object. */
  requester: string;
}

/**
 * An S3 "Object Created" event as EventBridge delivers it (what {@link readObjectCreatedEvent} reads):
 * for tools that feed the pipeline the way S3 does — the local runtime's uploads, a marker retry.
 */
export function objectCreatedEvent(fields: ObjectCreatedFields) {
  return {
    version: '0',
    id: fields.id,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: fields.account,
    time: fields.time.toISOString().replace(/\.\d+Z$/, 'Z'),
    region: fields.region,
    resources: [`arn:aws:s3:::${fields.bucket}`],
    detail: {
      version: '0',
      bucket: { name: fields.bucket },
      object: {
        key: encodeS3EventKey(fields.key),
        size: fields.size,
        ...(fields.etag ? { etag: fields.etag } : {}),
        sequencer: fields.sequencer,
      },
      'request-id': fields.id,
      requester: fields.requester,
      reason: 'PutObject',
    },
  };
}
