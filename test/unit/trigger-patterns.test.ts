import { describe, expect, it } from 'vitest';
import { EVENT_PATTERN_LIMIT, objectKeyPatterns } from '../../infra/constructs/triggers/key-patterns';
import { encodeS3EventKey } from '../../lambdas/shared/s3/s3-key';
import { matchesPattern } from '../../local/aws/event-pattern';

const base = { prefix: 'incoming/', folderDepth: 1, trigger: 'quiet' as const, markerName: '_READY' };
const matches = (patterns: string[], key: string) =>
  matchesPattern({ key: encodeS3EventKey(key) }, { key: patterns.map((wildcard) => ({ wildcard })) });

describe('objectKeyPatterns', () => {
  it("matches media under the prefix at folder depth, in the key's delivered encoding", () => {
    const patterns = objectKeyPatterns({ ...base, prefix: 'in coming/' });
    expect(matches(patterns, 'in coming/Line 3 (night)/frame 1.jpg')).toBe(true);
    expect(matches(patterns, 'in coming/Line 3/deeper/clip.MP4')).toBe(true);
    expect(matches(patterns, 'in coming/loose.jpg')).toBe(false);
    expect(matches(patterns, 'in coming/set/notes.txt')).toBe(false);
    expect(matches(patterns, 'elsewhere/set/a.jpg')).toBe(false);
  });

  it('escapes wildcard characters of the prefix and marker', () => {
    const [pattern] = objectKeyPatterns({ ...base, trigger: 'marker', prefix: 'a*b/', markerName: 'DONE*' });
    expect(pattern).toBe('a\\*b/*/DONE\\*');
    expect(matches([pattern as string], 'a*b/set/DONE*')).toBe(true);
    expect(matches([pattern as string], 'aXb/set/DONE*')).toBe(false);
  });

  it("stays within EventBridge's pattern size for the longest allowed prefix, falling back to prefix and depth", () => {
    const longPrefix = `${'x'.repeat(480)}/`;
    for (const trigger of ['quiet', 'marker'] as const) {
      const patterns = objectKeyPatterns({
        ...base,
        prefix: longPrefix,
        folderDepth: 10,
        trigger,
        markerName: 'm'.repeat(255),
      });
      expect(JSON.stringify(patterns.map((wildcard) => ({ wildcard }))).length).toBeLessThan(
        EVENT_PATTERN_LIMIT - 400,
      );
    }
    expect(objectKeyPatterns({ ...base, prefix: longPrefix })).toEqual([`${longPrefix}*/*`]);
    expect(objectKeyPatterns(base)).toHaveLength(42);
  });
});
