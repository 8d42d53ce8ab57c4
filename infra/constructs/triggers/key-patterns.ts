import { MEDIA_EXTENSIONS } from '../../../lambdas/shared/s3/media';
import { encodeS3EventKey } from '../../../lambdas/shared/s3/s3-key';
import type { IngestConfig } from '../../config';

/** EventBridge's default limit on an event pattern's size, in characters. */
export const EVENT_PATTERN_LIMIT = 2048;
/** Room kept in the pattern for everything but the key patterns (source, bucket, size…). */
const PATTERN_OVERHEAD = 400;

/**
 * Wildcard patterns for `detail.object.key`, written in the key's delivered (URL-encoded) form:
 * the prefix, at least `folderDepth` folder levels, then a media extension in lower or upper case
 * (quiet trigger) or the marker's name (marker trigger). Mixed-case extensions that slip past are
 * still checked by the plan step. When a long prefix would push the extension list past
 * EventBridge's pattern size limit, the rule matches the prefix and depth only and the functions
 * alone filter media (they always check it).
 */
export function objectKeyPatterns(
  config: Pick<IngestConfig, 'prefix' | 'folderDepth' | 'trigger' | 'markerName'>,
): string[] {
  const head = `${escapeWildcard(encodeS3EventKey(config.prefix))}${'*/'.repeat(config.folderDepth)}`;
  if (config.trigger === 'marker') return [`${head}${escapeWildcard(encodeS3EventKey(config.markerName))}`];
  const media = MEDIA_EXTENSIONS.flatMap((ext) => [`${head}*.${ext}`, `${head}*.${ext.toUpperCase()}`]);
  const size = JSON.stringify(media.map((wildcard) => ({ wildcard }))).length;
  return size + PATTERN_OVERHEAD <= EVENT_PATTERN_LIMIT ? media : [`${head}*`];
}

function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}
