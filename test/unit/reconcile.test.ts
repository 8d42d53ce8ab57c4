import { describe, expect, it } from 'vitest';
import { executionName, legacyClaimToken, newClaimToken } from '../../lambdas/shared/record/folder-record';
import {
  attemptOfExecution,
  attemptOfRecord,
  decideSweep,
  failureOf,
  finishUpdate,
  LOST_EXECUTION_GRACE_MINUTES,
  MAX_ERROR_MESSAGE_BYTES,
  type SweptRecord,
} from '../../lambdas/shared/record/reconcile';
import type { FolderRules } from '../../lambdas/shared/s3/s3-key';
import { boundText } from '../../lambdas/shared/text';
import { objectCreated } from '../support/events';

const MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:Ingest';
const FOLDER = 's3://acme-vision-drops/Line 3/';
const arnOf = (name: string) => `arn:aws:states:eu-west-1:111122223333:execution:Ingest:${name}`;
const QUIET: FolderRules = {
  prefix: '',
  folderDepth: 1,
  trigger: 'quiet',
  markerName: '_READY',
  datasetNamePrefix: '',
  bucketName: 'acme-vision-drops',
};
const MARKER: FolderRules = { ...QUIET, trigger: 'marker' };
const NOW = new Date('2026-11-28T15:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();

describe('which attempt a record waits on', () => {
  it("the execution the record names: its claim's execution", () => {
    const named = arnOf('e1');
    for (const status of ['PENDING', 'CREATING', 'INDEXING']) {
      expect(
        attemptOfRecord({ folderUri: FOLDER, status, attempts: 2, executionArn: named }, MACHINE),
      ).toEqual({
        folderUri: FOLDER,
        executionArn: named,
      });
    }
  });

  it('a PENDING record claimed before claim tokens, naming no execution: the one named after its attempt', () => {
    const record: SweptRecord = { folderUri: FOLDER, status: 'PENDING', attempts: 3 };
    expect(attemptOfRecord(record, MACHINE)).toEqual({
      folderUri: FOLDER,
      attempt: 3,
      executionArn: arnOf(executionName(FOLDER, legacyClaimToken(3))),
    });
    expect(attemptOfRecord({ folderUri: FOLDER, status: 'INDEXING' }, MACHINE)).toBeUndefined();
  });
});

describe('which attempt an ended execution ran', () => {
  it('a claimed folder in an execution named after its attempt (before claim tokens): by attempt number', () => {
    const executionArn = arnOf(executionName(FOLDER, legacyClaimToken(2)));
    expect(attemptOfExecution({ executionArn, input: { folderUri: FOLDER, attempt: 2 } }, QUIET)).toEqual({
      folderUri: FOLDER,
      attempt: 2,
      executionArn,
    });
  });

  it('a claimed folder in an execution named after its claim token: by the execution itself', () => {
    const executionArn = arnOf(executionName(FOLDER, newClaimToken()));
    expect(attemptOfExecution({ executionArn, input: { folderUri: FOLDER, attempt: 2 } }, QUIET)).toEqual({
      folderUri: FOLDER,
      executionArn,
    });
  });

  it('an object event: the folder its rules name, by the execution', () => {
    const executionArn = arnOf('3f1c');
    const marker = objectCreated('acme-vision-drops', 'Line 3/_READY');
    expect(attemptOfExecution({ executionArn, input: marker }, MARKER)).toEqual({
      folderUri: FOLDER,
      executionArn,
    });
    const media = objectCreated('acme-vision-drops', 'Line 3/a.jpg');
    expect(attemptOfExecution({ executionArn, input: media }, MARKER)).toBeUndefined();
    expect(attemptOfExecution({ executionArn, input: { hello: 1 } }, QUIET)).toBeUndefined();
    expect(attemptOfExecution({ executionArn, input: undefined }, QUIET)).toBeUndefined();
  });
});

describe('what the sweep does with an unfinished record', () => {
  const arn = arnOf('e1');
  const record: SweptRecord = { folderUri: FOLDER, status: 'INDEXING', claimedAt: minutesAgo(90) };

  it('leaves a record whose attempt ended, or whose execution still runs', () => {
    expect(
      decideSweep({ ...record, status: 'READY' }, { executionArn: arn, status: 'FAILED' }, arn, NOW),
    ).toEqual({
      action: 'leave',
      reason: 'finished',
    });
    for (const status of ['RUNNING', 'PENDING_REDRIVE']) {
      expect(decideSweep(record, { executionArn: arn, status }, arn, NOW)).toEqual({
        action: 'leave',
        reason: 'running',
      });
    }
  });

  it.each([
    ['FAILED', 'EXECUTION_FAILED', /failed before recording the folder's outcome: States.Runtime: bad path/],
    ['TIMED_OUT', 'EXECUTION_TIMED_OUT', /hit the state machine's timeout/],
    ['ABORTED', 'EXECUTION_ABORTED', /was stopped before recording/],
    ['SUCCEEDED', 'EXECUTION_LOST', /ended SUCCEEDED without recording/],
  ])('an execution that ended %s → FAILED/%s', (status, code, message) => {
    const error = status === 'FAILED' ? { error: 'States.Runtime', cause: 'bad path' } : {};
    const decision = decideSweep(record, { executionArn: arn, status, ...error }, arn, NOW);
    expect(decision).toEqual({ action: 'finish', error: { code, message: expect.stringMatching(message) } });
  });

  it('a missing execution: still starting within the grace period, lost after it', () => {
    const fresh = { ...record, status: 'PENDING', claimedAt: minutesAgo(LOST_EXECUTION_GRACE_MINUTES - 1) };
    expect(decideSweep(fresh, undefined, arn, NOW)).toEqual({ action: 'leave', reason: 'starting' });
    const old = { ...fresh, claimedAt: minutesAgo(LOST_EXECUTION_GRACE_MINUTES + 1) };
    expect(decideSweep(old, undefined, arn, NOW)).toEqual({
      action: 'finish',
      error: { code: 'EXECUTION_LOST', message: expect.stringMatching(/e1 does not exist.*never started/) },
    });
    expect(decideSweep({ folderUri: FOLDER, status: 'PENDING' }, undefined, arn, NOW)).toEqual({
      action: 'leave',
      reason: 'starting',
    });
  });
});

describe('the final record', () => {
  it('bounds the message however large the cause', () => {
    const cause = `${'é'.repeat(200_000)}😀`;
    const { message } = failureOf({
      executionArn: arnOf('e1'),
      status: 'FAILED',
      error: 'States.DataLimitExceeded',
      cause,
    });
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_BYTES);
    expect(message).toMatch(/^execution e1 failed .*States.DataLimitExceeded: éé/);
    expect(message).not.toContain('\uFFFD');
  });

  it('cuts text at a character boundary and marks the cut', () => {
    expect(boundText('short', 10)).toBe('short');
    const cut = boundText('😀'.repeat(20), 30);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(30);
    expect(cut).toMatch(/^(😀)+ …$/u);
  });

  it('writes only while the record is unfinished and on the same attempt', () => {
    const error = { code: 'EXECUTION_ABORTED', message: 'stopped' };
    const byAttempt = finishUpdate({ folderUri: FOLDER, attempt: 2, executionArn: arnOf('a2') }, error, NOW);
    expect(byAttempt.ConditionExpression).toBe(
      'attempts = :attempt AND #status IN (:unfinished0, :unfinished1, :unfinished2)',
    );
    expect(byAttempt.ExpressionAttributeValues).toMatchObject({
      ':attempt': { N: '2' },
      ':unfinished0': { S: 'PENDING' },
      ':unfinished1': { S: 'CREATING' },
      ':unfinished2': { S: 'INDEXING' },
      ':failed': { S: 'FAILED' },
      ':error': { M: { code: { S: 'EXECUTION_ABORTED' }, message: { S: 'stopped' } } },
    });
    const byExecution = finishUpdate({ folderUri: FOLDER, executionArn: arnOf('e1') }, error, NOW);
    expect(byExecution.ConditionExpression).toMatch(/^executionArn = :arn AND #status IN/);
    expect(byExecution.ExpressionAttributeValues[':attempt']).toBeUndefined();
    expect(byExecution.UpdateExpression).toBe(
      'SET #status = :failed, #error = :error, executionArn = :arn, finishedAt = :now, updatedAt = :now',
    );
    expect(byExecution.ExpressionAttributeNames).toEqual({ '#status': 'status', '#error': 'error' });
  });
});
