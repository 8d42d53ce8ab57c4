import { encodeS3EventKey } from '../../../lambdas/shared/s3/s3-key';
import type { IngestConfig } from '../../config';

/** EventBridge's default limit on an event pattern's size, in characters. */
export const EVENT_PATTERN_LIMIT = 2048;
/** Room kept in the pattern for everything but the key patterns (source, bucket, size…). */
export const PATTERN_OVERHEAD = 400;
/** CloudFormation's limit on a rule's description. */
const DESCRIPTION_LIMIT = 512;

/** What a trigger's rule matches in an S3 "Object Created" event; each trigger says its own. */
export interface ObjectMatch {
  /** Wildcard patterns for `detail.object.key`, in the key's delivered (URL-encoded) form; any one matches. */
  readonly keys: string[];
  /** The rule's description. */
  readonly description: string;
  /** Only objects of more than 0 bytes. */
  readonly nonEmptyOnly: boolean;
}

type FolderConfig = Pick<IngestConfig, 'prefix' | 'folderDepth'>;

/**
 * Quiet trigger: every non-empty object under the prefix at least `folderDepth` folders deep. The
 * rule cannot also require a media extension: one field's matchers are OR-ed, so prefix and depth
 * (a wildcard, case-sensitive) and an extension in any case (`suffix` + `equals-ignore-case`) cannot
 * both be required of the key, and listing every case of every extension would not fit the pattern.
 * A rule that missed `.Jpg` would drop it with no trace; the functions compare extensions in any case
 * and drop (and count) what is not media.
 */
export function mediaObjectMatch(config: FolderConfig): ObjectMatch {
  return {
    keys: fitting([`${folderHead(config)}*`]),
    description: `Starts vl-ingest for objects under "${shorten(config.prefix)}" at folder depth ${config.folderDepth} (the functions keep media)`,
    nonEmptyOnly: true,
  };
}

/** Marker trigger: only the marker object, exactly at folder depth, whatever its size. */
export function markerObjectMatch(config: FolderConfig & Pick<IngestConfig, 'markerName'>): ObjectMatch {
  return {
    keys: fitting([`${folderHead(config)}${escapeWildcard(encodeS3EventKey(config.markerName))}`]),
    description: `Starts vl-ingest for "${shorten(config.markerName)}" markers under "${shorten(config.prefix)}"`,
    nonEmptyOnly: false,
  };
}

/** The prefix, then `folderDepth` folder levels, escaped for a wildcard pattern. */
function folderHead(config: FolderConfig): string {
  return `${escapeWildcard(encodeS3EventKey(config.prefix))}${'*/'.repeat(config.folderDepth)}`;
}

/** The key patterns, refused at synth when they would push the rule past EventBridge's limit. */
function fitting(keys: string[]): string[] {
  const size = JSON.stringify(keys.map((wildcard) => ({ wildcard }))).length;
  if (size + PATTERN_OVERHEAD > EVENT_PATTERN_LIMIT) {
    throw new Error(
      `the rule's key patterns take ${size} characters once URL-encoded; EventBridge allows ` +
        `${EVENT_PATTERN_LIMIT - PATTERN_OVERHEAD} here: shorten the prefix or the marker name`,
    );
  }
  return keys;
}

function shorten(text: string): string {
  const room = (DESCRIPTION_LIMIT - 120) / 2;
  return text.length <= room ? text : `${text.slice(0, room - 1)}…`;
}

function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}
