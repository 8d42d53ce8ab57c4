import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';
import { isMediaKey } from './media';

/**
 * Decodes an object key as S3 event notifications deliver it: `+` stands for a space and other
 * special characters are percent-encoded (`%2B` is a real plus).
 *
 * @throws InvalidInputError when the key holds a malformed percent escape.
 */
export function decodeS3EventKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new InvalidInputError(`object key "${key}" is not valid URL encoding`);
  }
}

/**
 * Encodes a key (or key prefix) the way S3 events deliver it, so EventBridge patterns written from
 * configuration match the delivered key: spaces become `+`, and everything outside the characters
 * S3 leaves alone (letters, digits, `.-_*`) is percent-encoded, as Java's `URLEncoder` does.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%20/g, '+')
    .replace(/%2F/gi, '/')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** How objects are grouped into dataset folders; mirrors the configuration keys of the same names. */
export interface FolderRules {
  /** Only keys under this prefix count; empty or ending in `/`. */
  prefix: string;
  /** Path segments after the prefix that name a dataset folder. */
  folderDepth: number;
  /** `quiet`: any media object belongs to its folder; `marker`: only the marker object counts. */
  trigger: 'quiet' | 'marker';
  /** Marker object name (marker trigger). */
  markerName: string;
  /** Prepended to every generated dataset name. */
  datasetNamePrefix: string;
  /** The watched bucket: objects of any other bucket are refused. */
  bucketName: string;
}

/** An S3 object as the pipeline sees it, with the key already decoded. */
export interface S3ObjectRef {
  bucket: string;
  key: string;
  size?: number;
}

/** The folder an object belongs to, and the dataset that folder becomes. */
export interface FolderPlan {
  action: 'ingest';
  bucket: string;
  /** Decoded key of the object that was seen. */
  key: string;
  /** Decoded folder key, ending in `/`. */
  folderKey: string;
  /** `s3://bucket/folder/`: the record's partition key and Visual Layer's `bucket_path`. */
  folderUri: string;
  datasetName: string;
}

/** Why an object does not lead to a dataset. */
export interface SkipPlan {
  action: 'skip';
  bucket: string;
  key: string;
  reason: string;
}

/** Longest dataset name generated; longer folder paths are shortened and keep a hash for uniqueness. */
export const MAX_DATASET_NAME_LENGTH = 100;

/**
 * Decides which dataset folder an object belongs to, or why it belongs to none. Pure: the same
 * object and rules always give the same plan.
 */
export function planFolder(object: S3ObjectRef, rules: FolderRules): FolderPlan | SkipPlan {
  const { bucket, key } = object;
  const skip = (reason: string): SkipPlan => ({ action: 'skip', bucket, key, reason });
  const foreign = foreignBucketReason(bucket, rules);
  if (foreign) return skip(foreign);
  if (key.endsWith('/')) return skip('folder placeholder (key ends with "/")');
  if (!key.startsWith(rules.prefix)) return skip(`outside the prefix "${rules.prefix}"`);
  const segments = key.slice(rules.prefix.length).split('/');
  const fileName = segments.pop() ?? '';
  if (segments.length < rules.folderDepth) {
    return skip(
      `key has ${segments.length} folder level(s) under the prefix; ${rules.folderDepth} name a dataset folder`,
    );
  }
  const folderSegments = segments.slice(0, rules.folderDepth);
  if (folderSegments.some((s) => s === '')) return skip('key has an empty folder name ("//")');
  const unusable = folderSegments.find((s) => s === '.' || s === '..' || cleanName(s) === '');
  if (unusable !== undefined) {
    return skip(
      unusable === '.' || unusable === '..'
        ? `"${unusable}" is not a folder name: Visual Layer could read the path as another folder`
        : `blank folder name ${JSON.stringify(unusable)} (only spaces or control characters)`,
    );
  }
  if (rules.trigger === 'marker') {
    if (fileName !== rules.markerName) return skip(`not the marker object "${rules.markerName}"`);
    if (segments.length !== rules.folderDepth) {
      return skip(`marker is not at folder depth ${rules.folderDepth}`);
    }
  } else {
    if (!isMediaKey(key)) return skip('not a media file Visual Layer ingests');
    if (object.size === 0) return skip('empty object (0 bytes)');
  }
  const folderKey = `${rules.prefix}${folderSegments.join('/')}/`;
  const folderUri = folderUriOf(bucket, folderKey);
  return {
    action: 'ingest',
    bucket,
    key,
    folderKey,
    folderUri,
    datasetName: datasetNameFor(folderSegments, folderUri, rules.datasetNamePrefix),
  };
}

/**
 * Refuses an object of a bucket other than the watched one: an execution started by hand, or a
 * message put on the queue by hand, may name any bucket.
 *
 * @throws InvalidInputError naming both buckets.
 */
export function requireWatchedBucket(object: S3ObjectRef, rules: FolderRules): void {
  const foreign = foreignBucketReason(object.bucket, rules);
  if (foreign) throw new InvalidInputError(foreign);
}

function foreignBucketReason(bucket: string, rules: FolderRules): string | undefined {
  if (bucket === rules.bucketName) return undefined;
  return `object is in bucket "${bucket}", not the watched bucket "${rules.bucketName}"`;
}

/** `s3://bucket/folder/` for a decoded folder key. */
export function folderUriOf(bucket: string, folderKey: string): string {
  return `s3://${bucket}/${folderKey}`;
}

/** A name as Visual Layer is given it: NFC, without control characters or outer white space. */
function cleanName(raw: string): string {
  return raw.normalize('NFC').replace(CONTROL_CHARACTERS, '').trim();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/**
 * A readable dataset name from the folder's own segments (the prefix is the same for every folder
 * and would only add noise), cleaned (see {@link cleanName}). Names must be unique per folder: a
 * name that cleaning changed (`cams ` and `cams`, `line1\u0007` and `line1`) or that is over
 * {@link MAX_DATASET_NAME_LENGTH} keeps its readable head and gets `~` and a short hash of the folder
 * URI. Long names are cut between user-perceived characters, never inside an emoji.
 */
export function datasetNameFor(
  folderSegments: readonly string[],
  folderUri: string,
  namePrefix: string,
): string {
  const raw = `${namePrefix}${folderSegments.join('/')}`;
  const clean = cleanName(raw);
  if (clean === raw && clean.length <= MAX_DATASET_NAME_LENGTH) return clean;
  const hash = createHash('sha256').update(folderUri).digest('hex').slice(0, 8);
  return `${cutAt(clean, MAX_DATASET_NAME_LENGTH - hash.length - 1).trimEnd()}~${hash}`;
}

/** The longest start of `text` of at most `max` UTF-16 units that ends between two graphemes. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const { index, segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}
