import { describe, expect, it } from 'vitest';
import {
  EVENT_PATTERN_LIMIT,
  markerObjectMatch,
  mediaObjectMatch,
  PATTERN_OVERHEAD,
} from '../../infra/constructs/triggers/key-patterns';
import { encodeS3EventKey, planFolder } from '../../lambdas/shared/s3/s3-key';
import { matchesPattern } from '../../local/aws/event-pattern';

const base = { prefix: 'incoming/', folderDepth: 1, markerName: '_READY' };
const matches = (patterns: string[], key: string) =>
  matchesPattern({ key: encodeS3EventKey(key) }, { key: patterns.map((wildcard) => ({ wildcard })) });
const patternSize = (patterns: string[]) => JSON.stringify(patterns.map((wildcard) => ({ wildcard }))).length;

describe('mediaObjectMatch (quiet trigger)', () => {
  const rules = {
    ...base,
    prefix: 'in coming/',
    trigger: 'quiet' as const,
    datasetNamePrefix: '',
    bucketName: 'b',
  };
  /** What reaches a dataset: the rule lets the event through and the plan keeps the object. */
  const ingested = (patterns: string[], key: string) =>
    matches(patterns, key) && planFolder({ bucket: 'b', key, size: 1 }, rules).action === 'ingest';

  it("lets media under the prefix at folder depth through, in the key's delivered encoding", () => {
    const { keys, nonEmptyOnly } = mediaObjectMatch(rules);
    expect(nonEmptyOnly).toBe(true);
    expect(ingested(keys, 'in coming/Line 3 (night)/frame 1.jpg')).toBe(true);
    expect(ingested(keys, 'in coming/Line 3/deeper/clip.MP4')).toBe(true);
    expect(matches(keys, 'in coming/loose.jpg')).toBe(false);
    expect(matches(keys, 'elsewhere/set/a.jpg')).toBe(false);
  });

  it('never drops media for the case of its extension; the plan drops what is not media', () => {
    const { keys } = mediaObjectMatch(rules);
    for (const name of ['a.Jpg', 'b.PNG', 'c.jPeG', 'd.Mp4', 'e.HeIc']) {
      expect(ingested(keys, `in coming/set/${name}`), name).toBe(true);
    }
    expect(matches(keys, 'in coming/set/notes.txt')).toBe(true);
    expect(ingested(keys, 'in coming/set/notes.txt')).toBe(false);
  });
});

describe('markerObjectMatch (marker trigger)', () => {
  it('matches only the marker object, whatever its size, escaping wildcard characters', () => {
    const match = markerObjectMatch({ ...base, prefix: 'a*b/', markerName: 'DONE*' });
    expect(match.nonEmptyOnly).toBe(false);
    expect(match.keys).toEqual(['a\\*b/*/DONE\\*']);
    expect(matches(match.keys, 'a*b/set/DONE*')).toBe(true);
    expect(matches(match.keys, 'aXb/set/DONE*')).toBe(false);
    expect(matches(match.keys, 'a*b/set/a.jpg')).toBe(false);
  });
});

describe("EventBridge's limits", () => {
  const longPrefix = `${'x'.repeat(480)}/`;
  const longest = { prefix: longPrefix, folderDepth: 10, markerName: 'm'.repeat(255) };

  it('keeps the key patterns and the description within the limits for the longest allowed settings', () => {
    for (const match of [mediaObjectMatch(longest), markerObjectMatch(longest)]) {
      expect(patternSize(match.keys)).toBeLessThanOrEqual(EVENT_PATTERN_LIMIT - PATTERN_OVERHEAD);
      expect(match.description.length).toBeLessThanOrEqual(512);
    }
    expect(mediaObjectMatch(longest).keys).toEqual([`${longPrefix}${'*/'.repeat(10)}*`]);
  });

  it('refuses at synth a marker name that would push the pattern past the limit once encoded', () => {
    expect(() => markerObjectMatch({ ...longest, markerName: '準'.repeat(200) })).toThrow(/marker name/);
  });
});
