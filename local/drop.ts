import { objectCreatedEvent } from '../lambdas/shared/s3/object-event';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './aws/intrinsics';
import type { LocalPipeline } from './pipeline';

/** An object to upload into the local bucket: its decoded key and size. */
export interface LocalObject {
  key: string;
  size: number;
}

/** How {@link dropObjects} uploads. */
export interface DropOptions {
  /** Deliver each event twice, as S3 may. @default false */
  twice?: boolean;
  /** Milliseconds between two uploads. @default 0 */
  spacingMs?: number;
  /** Told of each upload. */
  onPut?: (object: LocalObject) => void;
  /** Objects uploaded before in this run: numbers the events, etags and sequencers after theirs. @default 0 */
  first?: number;
}

/**
 * Uploads objects into the local bucket as S3 would announce them: one "Object Created" event per
 * object on the default bus, where the synthesized rule picks them up.
 */
export async function dropObjects(
  pipeline: LocalPipeline,
  bucket: string,
  objects: LocalObject[],
  options: DropOptions = {},
): Promise<void> {
  for (const [i, object] of objects.entries()) {
    const event = localObjectEvent(bucket, object, (options.first ?? 0) + i, new Date(pipeline.clock.now()));
    pipeline.deliver(event);
    if (options.twice) pipeline.deliver(structuredClone(event));
    options.onPut?.(object);
    if (options.spacingMs) await new Promise((resolve) => setTimeout(resolve, options.spacingMs));
  }
}

/** An S3 "Object Created" event of the local bucket, as EventBridge delivers it, for a decoded key. */
export function localObjectEvent(bucket: string, object: LocalObject, n: number, now: Date) {
  return objectCreatedEvent({
    bucket,
    key: object.key,
    size: object.size,
    etag: `etag-${n}`,
    sequencer: (n + 1).toString(16).padStart(16, '0').toUpperCase(),
    time: now,
    id: `local-${n}`,
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    requester: LOCAL_ACCOUNT,
  });
}
