import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { BatchRecords } from '../../lambdas/shared/append/batch-records';
import {
  ATTEMPT_ATTRIBUTES,
  RECORD_ATTRIBUTES,
  RETRYABLE_STATUSES,
  reopenUpdate,
} from '../../lambdas/shared/record/folder-record';
import { FolderRecords } from '../../lambdas/shared/record/record-store';
import { definitionOf, useSynthesizedApp } from '../support/synth';

/** Attribute names an update expression writes or removes, aliases resolved. */
function attributesOf(expression: string, names: Record<string, string> = {}): string[] {
  const found = new Set<string>();
  for (const clause of expression.split(/\b(?=SET |ADD |REMOVE )/)) {
    const [verb, ...rest] = clause.trim().split(' ');
    // Commas inside a function's parentheses (if_not_exists(a, :b)) do not separate actions.
    for (const action of rest.join(' ').split(/,(?![^(]*\))/)) {
      const target = action.trim().split(/[\s=]/)[0] ?? '';
      if (verb && target) found.add(names[target] ?? target);
    }
  }
  return [...found];
}

const known = Object.keys(RECORD_ATTRIBUTES);

describe('the folder record has one owner', () => {
  for (const trigger of ['quiet', 'marker']) {
    const app = useSynthesizedApp({ trigger });

    it(`${trigger} trigger: every attribute the state machine writes is a documented record attribute`, () => {
      const updates = Object.entries(definitionOf(app()).States).filter(([, s]) =>
        String(s.Resource).includes('dynamodb:updateItem'),
      );
      expect(updates.length).toBeGreaterThan(5);
      for (const [name, state] of updates) {
        const p = state.Parameters as {
          UpdateExpression: string;
          ExpressionAttributeNames?: Record<string, string>;
        };
        for (const attribute of attributesOf(p.UpdateExpression, p.ExpressionAttributeNames)) {
          expect(known, `${name} writes ${attribute}`).toContain(attribute);
        }
      }
    });

    it(`${trigger} trigger: the state machine re-opens a failed folder with the record module's update`, () => {
      const { States } = definitionOf(app());
      const reclaim = (States.ReclaimFailedFolder?.Parameters ?? {}) as Record<string, string>;
      const expected = reopenUpdate(true, {
        set: ['executionArn = :exec', 'lastObjectAt = :objectAt', 'markerSequencer = :sequencer'],
        add: ['objectCount :one', 'attempts :one'],
        condition: '(attribute_not_exists(markerSequencer) OR markerSequencer < :sequencer)',
      });
      expect(reclaim.UpdateExpression).toBe(expected.updateExpression);
      expect(reclaim.ConditionExpression).toBe(expected.conditionExpression);
    });
  }

  it('the folding function writes only documented attributes, and a re-open removes every attempt attribute', async () => {
    const sent: { input: Record<string, unknown> }[] = [];
    const client = { send: async (command: { input: Record<string, unknown> }) => sent.push(command) };
    const records = new FolderRecords(client as unknown as DynamoDBClient, 'records');
    const claim = { claimToken: 't', executionArn: 'arn', now: '2026-11-29T00:00:00Z' };
    await records.claimNew('s3://b/f/', 'f', claim, {
      objectCount: 1,
      firstObjectAt: claim.now,
      lastObjectAt: claim.now,
    });
    await records.reopen('s3://b/f/', 'f', { attempt: 2, previousAttempt: 1, hadDataset: true }, claim);
    await records.restart('s3://b/f/', { status: 'INDEXING', claimToken: 'old' }, claim);
    await records.recount('s3://b/f/', { objectCount: 2, lateCount: 1, lastObjectAt: claim.now });
    await records.raiseObjectCount('s3://b/f/', 3);
    const written = sent.flatMap(({ input }) =>
      input.Item
        ? Object.keys(input.Item as object)
        : attributesOf(
            String(input.UpdateExpression),
            input.ExpressionAttributeNames as Record<string, string>,
          ),
    );
    expect(written.length).toBeGreaterThan(10);
    for (const attribute of written) expect(known, attribute).toContain(attribute);
    const reopen = String(sent[1]?.input.UpdateExpression);
    for (const attribute of ATTEMPT_ATTRIBUTES)
      expect(attributesOf(reopen.slice(reopen.indexOf('REMOVE')))).toContain(
        attribute === 'error' ? '#error' : attribute,
      );
    expect(reopen).toContain('lastDatasetId = datasetId');
    for (const status of RETRYABLE_STATUSES)
      expect(Object.values(sent[1]?.input.ExpressionAttributeValues as object)).toContainEqual({ S: status });
  });

  it('the append batches write only documented attributes', async () => {
    const sent: { input: Record<string, unknown> }[] = [];
    const client = { send: async (command: { input: Record<string, unknown> }) => sent.push(command) };
    const batches = new BatchRecords(client as unknown as DynamoDBClient, 'records');
    const batch = {
      generation: 2,
      status: 'COLLECTING' as const,
      count: 0,
      startedAt: 't',
      claimedAt: 't',
      token: 'k',
      executionArn: 'arn',
    };
    await batches.claim({ folderUri: 's3://b/f/', status: 'READY', generation: 1 }, batch);
    await batches.replace('s3://b/f/', batch, { ...batch, status: 'DONE' }, 't', {
      appends: [],
      objectCount: 1,
      vlStatus: 'READY',
      progress: 100,
      nImages: 1,
      nVideos: 0,
    });
    const written = sent.flatMap(({ input }) =>
      attributesOf(String(input.UpdateExpression), input.ExpressionAttributeNames as Record<string, string>),
    );
    expect(written).toContain('append');
    expect(written).toContain('appends');
    for (const attribute of written) expect(known, attribute).toContain(attribute);
  });
});
