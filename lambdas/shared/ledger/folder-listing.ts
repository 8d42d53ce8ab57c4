import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { InvalidInputError } from '../errors';
import { LISTING_WINDOW_SECONDS, MAX_LISTING_CALLS } from '../polling/limits';
import { isMediaKey } from '../s3/media';
import { decodeS3EventKey } from '../s3/s3-key';
import type { LedgerObject } from './folder-batch';
import { writeLedgerObjects } from './ledger-store';

/** A folder to list: its bucket, its key (ending in `/`) and its URI. */
export interface ListedFolder {
  bucket: string;
  folderKey: string;
  folderUri: string;
}

/** What one call of {@link listFolderIntoLedger} did; `continuationToken` when the folder has more. */
export interface ListingProgress {
  listed: number;
  inserted: number;
  /** Calls made for this listing so far, this one included. */
  calls: number;
  /** When the listing began, handed on to the next call. */
  startedAt?: string;
  continuationToken?: string;
}

/** ListObjectsV2 pages (of up to 1,000 keys) one call reads before it hands back a continuation token. */
export const PAGES_PER_CALL = 5;

/**
 * Marker trigger: records a folder's objects in the ledger from a listing, as the folding function
 * does from events (media, not empty; a new object is pending). Keys come URL-encoded, as S3 encodes
 * them in events (`EncodingType=url`: `+` is a space), and are decoded alike; an object's time is its
 * `LastModified`. Listed objects have no sequencer: a known key is never changed.
 */
export async function listFolderIntoLedger(
  clients: { s3: S3Client; dynamodb: DynamoDBClient },
  ledgerTable: string,
  folder: ListedFolder,
  continuationToken?: string,
  round: { calls: number; startedAt?: string; now: Date } = { calls: 0, now: new Date() },
): Promise<ListingProgress> {
  const { calls, startedAt, now } = round;
  const elapsed = startedAt ? (now.getTime() - Date.parse(startedAt)) / 1000 : 0;
  if (continuationToken !== undefined && (calls >= MAX_LISTING_CALLS || elapsed > LISTING_WINDOW_SECONDS)) {
    throw new InvalidInputError(
      `listing ${folder.folderUri} stopped after ${calls} calls and ${Math.round(elapsed)} s, at its bounds ` +
        `(${MAX_LISTING_CALLS} calls of ${PAGES_PER_CALL * 1000} keys, ${LISTING_WINDOW_SECONDS} s); objects beyond are not recorded`,
    );
  }
  const progress: ListingProgress = { listed: 0, inserted: 0, calls: calls + 1, startedAt };
  let token = continuationToken;
  for (let page = 0; page < PAGES_PER_CALL; page += 1) {
    const out = await clients.s3.send(
      new ListObjectsV2Command({
        Bucket: folder.bucket,
        Prefix: folder.folderKey,
        EncodingType: 'url',
        ContinuationToken: token,
      }),
    );
    const objects: LedgerObject[] = (out.Contents ?? []).flatMap((o) => {
      const key = decodeS3EventKey(o.Key ?? '');
      if (!isMediaKey(key) || !o.Size || !o.LastModified) return [];
      return [{ key, objectAt: o.LastModified.toISOString(), size: o.Size, etag: o.ETag?.replace(/"/g, '') }];
    });
    const written = await writeLedgerObjects(
      clients.dynamodb,
      ledgerTable,
      { folderUri: folder.folderUri, objects },
      { trackPending: true },
    );
    progress.listed += objects.length;
    progress.inserted += written.inserted.length;
    if (!out.IsTruncated || !out.NextContinuationToken) return progress;
    token = out.NextContinuationToken;
  }
  return { ...progress, continuationToken: token };
}
