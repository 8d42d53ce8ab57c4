import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../infra/config';
import { MAX_POLLS, pollsToDeadline } from '../../lambdas/shared/polling/limits';
import { decideAfterPoll } from '../../lambdas/shared/polling/poll';
import { parseDatasetStatus } from '../../lambdas/shared/visual-layer/responses';

describe('poll schedule', () => {
  it('needs few checks for the defaults: 30 s growing to 300 s over 24 h', () => {
    const polls = pollsToDeadline(30, 300, 1440);
    expect(polls).toBeGreaterThan(280);
    expect(polls).toBeLessThan(300);
  });

  it('refuses a configuration whose schedule would need more checks than one execution makes', () => {
    const parse = () =>
      parseConfig(
        (key) => ({ maxWaitMinutes: '525600', maxPollIntervalSeconds: '300' })[key as 'maxWaitMinutes'],
      );
    expect(parse).toThrowError(ConfigError);
    expect(parse).toThrowError(/needs \d+ status checks; one execution makes at most 900/);
  });

  it('times out after MAX_POLLS checks even before the clock deadline', () => {
    const status = parseDatasetStatus({ status_new: 'INDEXING' });
    const d = decideAfterPoll(
      status,
      { polls: MAX_POLLS - 1, lastWaitSeconds: 300, since: new Date('2026-11-29T00:00:00Z') },
      { minSeconds: 30, maxSeconds: 300, maxWaitMinutes: 1e6 },
      new Date('2026-11-29T01:00:00Z'),
    );
    expect(d.outcome).toBe('TIMED_OUT');
    expect(d.message).toMatch(new RegExp(`${MAX_POLLS} status checks`));
  });
});
