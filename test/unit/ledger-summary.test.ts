import { describe, expect, it } from 'vitest';
import { summariseFolderObjects } from '../../lambdas/shared/ledger/settle';

describe('summariseFolderObjects', () => {
  it('says nothing about an empty folder', () => {
    expect(summariseFolderObjects([])).toEqual({
      objectCount: 0,
      firstObjectAt: null,
      lastObjectAt: null,
      lastActivityAt: null,
      lateCount: 0,
    });
  });

  it('takes the oldest and newest event times, and the later of event and recording as activity', () => {
    const summary = summariseFolderObjects([
      { objectAt: '2026-11-29T10:02:00Z', seenAt: '2026-11-29T10:02:01Z' },
      { objectAt: '2026-11-29T10:00:00Z', seenAt: '2026-11-29T10:07:00Z' },
      { objectAt: '2026-11-29T10:05:00Z', seenAt: '2026-11-29T10:05:01Z' },
    ]);
    expect(summary).toEqual({
      objectCount: 3,
      firstObjectAt: '2026-11-29T10:00:00Z',
      lastObjectAt: '2026-11-29T10:05:00Z',
      lastActivityAt: '2026-11-29T10:07:00Z',
      lateCount: 0,
    });
  });

  it('counts objects S3 created after `until` apart, and leaves them out of the times', () => {
    const summary = summariseFolderObjects(
      [
        { objectAt: '2026-11-29T10:00:00Z', seenAt: '2026-11-29T10:00:01Z' },
        { objectAt: '2026-11-29T10:10:00Z', seenAt: '2026-11-29T10:10:01Z' },
        { objectAt: '2026-11-29T10:11:00Z', seenAt: '2026-11-29T10:11:01Z' },
      ],
      '2026-11-29T10:05:00Z',
    );
    expect(summary.objectCount).toBe(1);
    expect(summary.lateCount).toBe(2);
    expect(summary.lastObjectAt).toBe('2026-11-29T10:00:00Z');
    expect(summary.lastActivityAt).toBe('2026-11-29T10:00:01Z');
  });

  it('counts an entry without an event time as on time', () => {
    const summary = summariseFolderObjects([{ seenAt: '2026-11-29T10:00:01Z' }], '2026-11-29T09:00:00Z');
    expect(summary).toMatchObject({ objectCount: 1, lateCount: 0, firstObjectAt: null });
    expect(summary.lastActivityAt).toBe('2026-11-29T10:00:01Z');
  });
});
