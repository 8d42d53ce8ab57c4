import { describe, expect, it } from 'vitest';
import { foldBatch } from '../../lambdas/shared/ledger/folder-batch';
import { decideSettle } from '../../lambdas/shared/ledger/settle';
import { executionName, newClaimToken } from '../../lambdas/shared/record/folder-record';
import type { FolderRules } from '../../lambdas/shared/s3/s3-key';
import { objectCreated } from '../support/events';

const rules: FolderRules = {
  prefix: 'in/',
  folderDepth: 1,
  trigger: 'quiet',
  markerName: '_READY',
  datasetNamePrefix: '',
  bucketName: 'b',
};
const message = (id: string, body: unknown) => ({ messageId: id, body: JSON.stringify(body) });

describe('foldBatch', () => {
  it('groups objects per folder, once per key, and keeps the messages of each folder', () => {
    const a = objectCreated('b', 'in/cam 1/x.jpg', { time: '2026-11-29T10:00:00Z' });
    const again = objectCreated('b', 'in/cam 1/x.jpg', { time: '2026-11-29T10:00:05Z' });
    const b = objectCreated('b', 'in/cam 2/y.jpg');
    const folded = foldBatch([message('1', a), message('2', b), message('3', again)], rules);
    expect(folded.folders.map((f) => f.folderUri).sort()).toEqual(['s3://b/in/cam 1/', 's3://b/in/cam 2/']);
    const cam1 = folded.folders.find((f) => f.folderUri === 's3://b/in/cam 1/');
    expect(cam1?.objects).toEqual([
      {
        key: 'in/cam 1/x.jpg',
        objectAt: '2026-11-29T10:00:05Z',
        size: 1024,
        sequencer: again.detail.object.sequencer,
        etag: again.detail.object.etag,
      },
    ]);
    expect(cam1?.messageIds).toEqual(['1', '3']);
  });

  it('keeps the later write of a key by S3 sequencer, whatever the order and the event times', () => {
    const later = objectCreated('b', 'in/cam 1/x.jpg', { time: '2026-11-29T10:00:00Z' });
    const earlier = { ...objectCreated('b', 'in/cam 1/x.jpg', { time: '2026-11-29T10:00:09Z' }) };
    earlier.detail.object.sequencer = '0A';
    later.detail.object.sequencer = '0000F1';
    const folded = foldBatch([message('1', later), message('2', earlier)], rules);
    expect(folded.folders[0]?.objects.map((o) => o.sequencer)).toEqual(['0000F1']);
  });

  it('skips objects outside any folder and fails messages that are not object events', () => {
    const folded = foldBatch(
      [
        message('1', objectCreated('b', 'in/loose.jpg')),
        message('2', { hello: 'world' }),
        { messageId: '3', body: '{' },
      ],
      rules,
    );
    expect(folded.folders).toEqual([]);
    expect(folded.skipped.map((s) => s.messageId)).toEqual(['1']);
    expect(folded.unreadable.map((u) => u.messageId)).toEqual(['2', '3']);
  });
});

describe('foldBatch: the watched bucket only', () => {
  it('skips an object event naming another bucket, with a reason, and starts nothing for it', () => {
    const folded = foldBatch(
      [
        message('1', objectCreated('other', 'in/cam 1/x.jpg')),
        message('2', objectCreated('b', 'in/cam 1/y.jpg')),
      ],
      rules,
    );
    expect(folded.folders.map((f) => f.folderUri)).toEqual(['s3://b/in/cam 1/']);
    expect(folded.folders[0]?.messageIds).toEqual(['2']);
    expect(folded.skipped).toEqual([{ messageId: '1', reason: expect.stringMatching(/"other".*"b"/) }]);
  });
});

describe('decideSettle', () => {
  const claimedAt = new Date('2026-11-29T10:00:00Z');
  const limits = { quietSeconds: 60, capSeconds: 3600 };
  const objects = (last: string) => ({
    objectCount: 10,
    firstObjectAt: '2026-11-29T10:00:00Z',
    lastObjectAt: last,
    lastActivityAt: last,
  });

  it('waits until quietSeconds after the last activity', () => {
    const d = decideSettle(
      objects('2026-11-29T10:05:00Z'),
      claimedAt,
      limits,
      new Date('2026-11-29T10:05:30Z'),
    );
    expect(d).toMatchObject({ ready: false, reason: 'waiting', waitSeconds: 30 });
    expect(
      decideSettle(objects('2026-11-29T10:05:00Z'), claimedAt, limits, new Date('2026-11-29T10:06:00Z')),
    ).toMatchObject({
      ready: true,
      reason: 'quiet',
    });
  });

  it('creates anyway once the folder has been uploading past the cap', () => {
    const d = decideSettle(
      objects('2026-11-29T10:59:59Z'),
      claimedAt,
      limits,
      new Date('2026-11-29T11:00:00Z'),
    );
    expect(d).toMatchObject({ ready: true, reason: 'cap' });
  });

  it('never waits past the cap', () => {
    const d = decideSettle(
      objects('2026-11-29T10:59:30Z'),
      claimedAt,
      limits,
      new Date('2026-11-29T10:59:40Z'),
    );
    expect(d.waitSeconds).toBe(20);
  });
});

describe('executionName', () => {
  it('is the same for the same folder and claim token, different otherwise, and a valid name', () => {
    const token = newClaimToken();
    const name = executionName('s3://b/in/cam 1/ (night) [x]/', token);
    expect(name).toBe(executionName('s3://b/in/cam 1/ (night) [x]/', token));
    expect(name).not.toBe(executionName('s3://b/in/cam 1/ (night) [x]/', newClaimToken()));
    expect(name).not.toBe(executionName('s3://b/in/cam 2/', token));
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
