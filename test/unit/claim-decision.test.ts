import { describe, expect, it } from 'vitest';
import { decideClaim } from '../../lambdas/shared/record/claim-decision';

const claimedAt = '2026-11-29T10:00:00.000Z';
const createdAt = '2026-11-28T09:00:00.000Z';
const settledAt = '2026-11-29T10:05:00.000Z';

describe('decideClaim', () => {
  it('claims a folder that has no record, on attempt 1', () => {
    expect(decideClaim(undefined)).toEqual({ action: 'claim', attempt: 1 });
  });

  it('starts the PENDING attempt with its claim time', () => {
    expect(decideClaim({ status: 'PENDING', attempts: 3, claimedAt, createdAt })).toEqual({
      action: 'start',
      attempt: 3,
      claimedAt,
    });
  });

  it('starts a PENDING record that has only createdAt as attempt 1 claimed then', () => {
    expect(decideClaim({ status: 'PENDING', createdAt })).toEqual({
      action: 'start',
      attempt: 1,
      claimedAt: createdAt,
    });
  });

  it('starts a PENDING record with no time at all with an empty claim time', () => {
    expect(decideClaim({ status: 'PENDING' })).toEqual({ action: 'start', attempt: 1, claimedAt: '' });
  });

  it.each(['ERROR', 'TIMED_OUT', 'FAILED'])(
    'does not reopen a folder whose attempt ended %s when it got nothing new since',
    (status) => {
      expect(decideClaim({ status, attempts: 2, claimedAt, datasetId: 'ds-1' }, false)).toEqual({
        action: 'known',
        status,
      });
    },
  );

  it('ignores whether anything is new for folders that did not fail', () => {
    expect(decideClaim(undefined, false)).toEqual({ action: 'claim', attempt: 1 });
    expect(decideClaim({ status: 'READY' }, false)).toMatchObject({ action: 'late' });
  });

  it.each(['ERROR', 'TIMED_OUT', 'FAILED'])('reopens a folder whose attempt ended %s', (status) => {
    expect(decideClaim({ status, attempts: 2, claimedAt, datasetId: 'ds-1' })).toEqual({
      action: 'reopen',
      attempt: 3,
      previousAttempt: 2,
      hadDataset: true,
    });
    expect(decideClaim({ status, claimedAt })).toEqual({
      action: 'reopen',
      attempt: 2,
      previousAttempt: 1,
      hadDataset: false,
    });
  });

  it('counts a batch for a READY folder as late, recounting up to settledAt', () => {
    expect(decideClaim({ status: 'READY', attempts: 1, claimedAt, settledAt, datasetId: 'ds-1' })).toEqual({
      action: 'late',
      status: 'READY',
      settledAt,
    });
  });

  it('counts a batch for a READY folder without settledAt as late, without a recount', () => {
    expect(decideClaim({ status: 'READY', claimedAt, datasetId: 'ds-1' })).toEqual({
      action: 'late',
      status: 'READY',
    });
  });

  it.each(['CREATING', 'INDEXING'])('counts a batch for a %s folder as late', (status) => {
    expect(decideClaim({ status, attempts: 1, claimedAt, settledAt })).toEqual({
      action: 'late',
      status,
      settledAt,
    });
  });

  it('counts a batch for a record in a status it does not know as late', () => {
    expect(decideClaim({ status: 'ARCHIVED', claimedAt })).toEqual({ action: 'late', status: 'ARCHIVED' });
  });

  it('counts a batch for a record without a status as late, status UNKNOWN', () => {
    expect(decideClaim({ attempts: 1, claimedAt })).toEqual({ action: 'late', status: 'UNKNOWN' });
  });
});
