import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lambdas/shared/errors';
import {
  datasetNameFor,
  decodeS3EventKey,
  encodeS3EventKey,
  type FolderRules,
  MAX_DATASET_NAME_LENGTH,
  planFolder,
  requireWatchedBucket,
} from '../../lambdas/shared/s3/s3-key';
import { sampleEvent } from '../support/events';

/** Offsets (UTF-16) where a user-perceived character starts or the text ends. */
function graphemeBoundaries(text: string): number[] {
  const segments = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(text)];
  return [...segments.map((s) => s.index), text.length];
}

const rules: FolderRules = {
  prefix: '',
  folderDepth: 1,
  trigger: 'quiet',
  markerName: '_READY',
  datasetNamePrefix: '',
  bucketName: 'drops',
};

describe('decodeS3EventKey', () => {
  it('decodes the sample event key: "+" is a space, %28/%29 are parentheses', () => {
    expect(decodeS3EventKey(sampleEvent().detail.object.key)).toBe(
      'incoming/Line 3 cameras/2026-11-28 (night)/frame 000127.jpg',
    );
  });

  it('keeps a real plus that S3 encoded as %2B apart from spaces', () => {
    expect(decodeS3EventKey('My+Photos/set%2B1+%28copy%29/a+b.jpg')).toBe('My Photos/set+1 (copy)/a b.jpg');
  });

  it('decodes multi-byte UTF-8', () => {
    expect(decodeS3EventKey('caf%C3%A9/%E6%97%A5%E6%9C%AC.png')).toBe('café/日本.png');
  });

  it('rejects a malformed escape with an error that names the key', () => {
    expect(() => decodeS3EventKey('bad%E0%A4%A.jpg')).toThrowError(InvalidInputError);
    expect(() => decodeS3EventKey('bad%E0%A4%A.jpg')).toThrowError(/bad%E0%A4%A\.jpg/);
  });
});

describe('encodeS3EventKey', () => {
  it('encodes the way S3 events deliver keys', () => {
    expect(encodeS3EventKey('My Photos/set+1 (copy)/a b.jpg')).toBe('My+Photos/set%2B1+%28copy%29/a+b.jpg');
  });

  it.each(['incoming/Line 3 cameras/x.jpg', "it's ~/a*b!.png", 'café/日本 1+1.webp'])(
    'round-trips %s',
    (key) => {
      expect(decodeS3EventKey(encodeS3EventKey(key))).toBe(key);
    },
  );
});

describe('planFolder', () => {
  const object = (key: string, size = 10) => ({ bucket: 'drops', key, size });

  it('names the folder at folderDepth below the prefix and keeps the decoded path', () => {
    const plan = planFolder(object('incoming/Line 3 cameras/2026-11-28 (night)/frame 000127.jpg'), {
      ...rules,
      prefix: 'incoming/',
    });
    expect(plan).toMatchObject({
      action: 'ingest',
      folderKey: 'incoming/Line 3 cameras/',
      folderUri: 's3://drops/incoming/Line 3 cameras/',
      datasetName: 'Line 3 cameras',
    });
  });

  it('uses several segments when folderDepth is 2', () => {
    const plan = planFolder(object('incoming/Line 3/2026-11-28 (night)/deep/f.jpg'), {
      ...rules,
      prefix: 'incoming/',
      folderDepth: 2,
    });
    expect(plan).toMatchObject({ folderUri: 's3://drops/incoming/Line 3/2026-11-28 (night)/' });
    expect(plan.action === 'ingest' && plan.datasetName).toBe('Line 3/2026-11-28 (night)');
  });

  it.each([
    ['a key with too few segments', 'incoming/f.jpg', /folder level/],
    ['a console folder placeholder', 'incoming/set/', /placeholder/],
    ['a non-media file', 'incoming/set/notes.txt', /not a media file/],
    ['an archive', 'incoming/set/all.zip', /not a media file/],
    ['a key outside the prefix', 'other/set/f.jpg', /outside the prefix/],
    ['an empty folder name', 'incoming//f.jpg', /empty folder name/],
  ])('skips %s', (_what, key, reason) => {
    const plan = planFolder(object(key), { ...rules, prefix: 'incoming/' });
    expect(plan.action).toBe('skip');
    expect(plan.action === 'skip' && plan.reason).toMatch(reason);
  });

  it('skips zero-byte media objects', () => {
    expect(planFolder(object('set/f.jpg', 0), rules).action).toBe('skip');
  });

  it('accepts media extensions in any case', () => {
    expect(planFolder(object('set/F.JPG'), rules).action).toBe('ingest');
    expect(planFolder(object('set/clip.MoV'), rules).action).toBe('ingest');
  });

  it.each([
    ['"."', 'incoming/./f.jpg'],
    ['".."', 'incoming/../f.jpg'],
  ])('skips a folder named %s: Visual Layer could read it as another folder', (_name, key) => {
    const plan = planFolder(object(key), { ...rules, prefix: 'incoming/' });
    expect(plan.action).toBe('skip');
    expect(plan.action === 'skip' && plan.reason).toMatch(/"\.\.?" is not a folder name/);
  });

  it('skips "." and ".." at any folder level, not only the first', () => {
    const plan = planFolder(object('a/../f.jpg'), { ...rules, folderDepth: 2 });
    expect(plan.action).toBe('skip');
  });

  it.each([
    ['spaces', '   '],
    ['a tab', '\t'],
    ['control characters', '\u0007\u0001'],
  ])('skips a folder whose name is only %s, with a reason', (_what, name) => {
    const plan = planFolder(object(`incoming/${name}/f.jpg`), { ...rules, prefix: 'incoming/' });
    expect(plan.action).toBe('skip');
    expect(plan.action === 'skip' && plan.reason).toMatch(/blank folder name/);
  });

  it('skips an object of a bucket other than the watched one, naming both', () => {
    const plan = planFolder({ bucket: 'elsewhere', key: 'set/f.jpg', size: 10 }, rules);
    expect(plan.action).toBe('skip');
    expect(plan.action === 'skip' && plan.reason).toMatch(/"elsewhere".*"drops"/);
  });

  it('requireWatchedBucket refuses another bucket and accepts the watched one', () => {
    expect(() => requireWatchedBucket({ bucket: 'elsewhere', key: 'set/f.jpg' }, rules)).toThrowError(
      InvalidInputError,
    );
    expect(() => requireWatchedBucket({ bucket: 'drops', key: 'set/f.jpg' }, rules)).not.toThrow();
  });

  it('gives folders whose names differ only by a trailing space or a control character their own datasets', () => {
    const names = ['cams', 'cams ', 'cams\u0007', ' cams'].map((folder) => {
      const plan = planFolder(object(`${folder}/f.jpg`), rules);
      return plan.action === 'ingest' ? plan.datasetName : plan.reason;
    });
    expect(names[0]).toBe('cams');
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name.startsWith('cams')).toBe(true);
  });

  it('gives a composed and a decomposed "café" folder their own datasets', () => {
    const composed = planFolder(object('caf\u00e9/f.jpg'), rules);
    const decomposed = planFolder(object('cafe\u0301/f.jpg'), rules);
    expect(composed).toMatchObject({ datasetName: 'caf\u00e9' });
    expect(decomposed.action === 'ingest' && decomposed.datasetName).not.toBe('caf\u00e9');
  });

  it('in marker mode, only the marker at folder depth counts (even at 0 bytes)', () => {
    const marker = { ...rules, trigger: 'marker' as const };
    expect(planFolder(object('set/_READY', 0), marker)).toMatchObject({
      action: 'ingest',
      folderUri: 's3://drops/set/',
    });
    expect(planFolder(object('set/f.jpg'), marker).action).toBe('skip');
    expect(planFolder(object('set/sub/_READY'), marker).action).toBe('skip');
  });
});

describe('datasetNameFor', () => {
  it('prepends the configured prefix', () => {
    expect(datasetNameFor(['cams'], 's3://b/cams/', 'prod-')).toBe('prod-cams');
  });

  it('drops control characters, and marks the name as changed with a hash of the folder', () => {
    expect(datasetNameFor(['a\u0007b\nc'], 's3://b/x/', '')).toMatch(/^abc~[0-9a-f]{8}$/);
  });

  it('names a folder by its segments alone when cleaning changes nothing', () => {
    expect(datasetNameFor(['Line 3', '2026-11-28 (night)'], 's3://b/Line 3/2026-11-28 (night)/', '')).toBe(
      'Line 3/2026-11-28 (night)',
    );
  });

  it('keeps the readable part and adds a short hash of the folder when cleaning changed the name', () => {
    const name = datasetNameFor(['cams '], 's3://b/cams /', '');
    expect(name).toMatch(/^cams~[0-9a-f]{8}$/);
    expect(name).not.toBe(datasetNameFor(['cams\t'], 's3://b/cams\t/', ''));
  });

  it('writes names in NFC', () => {
    const name = datasetNameFor(['cafe\u0301'], 's3://b/cafe\u0301/', '');
    expect(name).toBe(name.normalize('NFC'));
    expect(name.startsWith('caf\u00e9')).toBe(true);
  });

  it.each([
    ['an emoji', '\u{1F600}'],
    ['a family emoji (ZWJ sequence)', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}'],
    ['a letter with a combining accent', 'e\u0301'],
  ])('never cuts a long name inside %s', (_what, piece) => {
    for (let lead = 85; lead <= 95; lead += 1) {
      const segment = `${'x'.repeat(lead)}${piece.repeat(4)}${'y'.repeat(30)}`;
      const name = datasetNameFor([segment], `s3://b/${segment}/`, '');
      expect(name.length).toBeLessThanOrEqual(MAX_DATASET_NAME_LENGTH);
      expect(name.isWellFormed(), `lead ${lead}`).toBe(true);
      const head = name.replace(/~[0-9a-f]{8}$/, '');
      const whole = segment.normalize('NFC');
      expect(whole.startsWith(head), `lead ${lead}`).toBe(true);
      expect(graphemeBoundaries(whole), `lead ${lead}`).toContain(head.length);
    }
  });

  it('shortens long names within the limit and keeps two long folders apart', () => {
    const long = 'x'.repeat(150);
    const a = datasetNameFor([`${long}-a`], `s3://b/${long}-a/`, '');
    const b = datasetNameFor([`${long}-b`], `s3://b/${long}-b/`, '');
    expect(a.length).toBeLessThanOrEqual(MAX_DATASET_NAME_LENGTH);
    expect(b.length).toBeLessThanOrEqual(MAX_DATASET_NAME_LENGTH);
    expect(a).not.toBe(b);
  });
});
