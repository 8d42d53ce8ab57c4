import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { encodeS3EventKey } from '../../lambdas/shared/s3/s3-key';

/**
 * The sample event of the shared docs (`docs/samples/s3-object-created.json`, copied to
 * test/fixtures so the suite needs nothing outside the repository), exactly as EventBridge delivers it.
 */
export function sampleEvent(): S3ObjectCreatedEvent {
  const file = path.resolve(__dirname, '..', 'fixtures', 's3-object-created.json');
  return JSON.parse(readFileSync(file, 'utf8')) as S3ObjectCreatedEvent;
}

/** An S3 "Object Created" event as EventBridge delivers it. */
export interface S3ObjectCreatedEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: {
    version: string;
    bucket: { name: string };
    object: { key: string; size: number; etag: string; sequencer: string };
    'request-id': string;
    requester: string;
    reason: string;
  };
}

let sequence = 0;

/** An "Object Created" event for a decoded key; the key is encoded the way S3 delivers it. */
export function objectCreated(
  bucket: string,
  key: string,
  options: { size?: number; time?: string } = {},
): S3ObjectCreatedEvent {
  sequence += 1;
  const event = sampleEvent();
  event.id = `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`;
  event.time = options.time ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  event.resources = [`arn:aws:s3:::${bucket}`];
  event.detail.bucket.name = bucket;
  event.detail.object.key = encodeS3EventKey(key);
  event.detail.object.size = options.size ?? 1024;
  event.detail.object.sequencer = sequence.toString(16).padStart(18, '0').toUpperCase();
  return event;
}
