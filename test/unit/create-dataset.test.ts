import { describe, expect, it } from 'vitest';
import {
  type AdoptionCandidate,
  type CreateRequest,
  findEarlierAttempt,
} from '../../lambdas/shared/visual-layer/create-dataset';

const began = Date.parse('2026-11-29T10:00:00Z');
const request: CreateRequest = {
  folderUri: 's3://drops/cams/',
  datasetName: 'cams',
  notBefore: new Date(began),
};
const MINUTE = 60_000;

function listed(overrides: Partial<AdoptionCandidate> = {}): AdoptionCandidate {
  return { id: 'ds-1', displayName: 'cams', vlStatus: 'INDEXING', createdAt: began + 5_000, ...overrides };
}

describe('findEarlierAttempt: which listed dataset an attempt may adopt', () => {
  it('adopts a dataset of exactly this name created during the attempt', () => {
    expect(findEarlierAttempt([listed()], request)?.id).toBe('ds-1');
  });

  it('tolerates a few seconds of clock skew between AWS and Visual Layer', () => {
    expect(findEarlierAttempt([listed({ createdAt: began - 20_000 })], request)?.id).toBe('ds-1');
  });

  it('never adopts a same-named dataset created minutes before the attempt began', () => {
    expect(findEarlierAttempt([listed({ createdAt: began - 5 * MINUTE })], request)).toBeUndefined();
  });

  it.each([
    ['a trailing space', 'cams '],
    ['other case', 'Cams'],
    ['a longer name', 'cams-2'],
  ])('never adopts a dataset whose name differs by %s', (_what, displayName) => {
    expect(findEarlierAttempt([listed({ displayName })], request)).toBeUndefined();
  });

  it('compares names in NFC: a decomposed "café" is the same name as a composed one', () => {
    const cafe = { ...request, datasetName: 'caf\u00e9' };
    expect(findEarlierAttempt([listed({ displayName: 'cafe\u0301' })], cafe)?.id).toBe('ds-1');
  });

  it('never adopts a dataset whose listed source path is another folder', () => {
    const other = listed({ bucketPath: 's3://other-stack-bucket/cams/' });
    expect(findEarlierAttempt([other], request)).toBeUndefined();
  });

  it('adopts when the listed source path is this folder, with or without the final slash', () => {
    expect(findEarlierAttempt([listed({ bucketPath: 's3://drops/cams/' })], request)?.id).toBe('ds-1');
    expect(findEarlierAttempt([listed({ bucketPath: 's3://drops/cams' })], request)?.id).toBe('ds-1');
  });

  it('never adopts a dataset that ended in ERROR or has no creation time', () => {
    expect(findEarlierAttempt([listed({ vlStatus: 'ERROR' })], request)).toBeUndefined();
    expect(findEarlierAttempt([listed({ createdAt: undefined })], request)).toBeUndefined();
  });
});
