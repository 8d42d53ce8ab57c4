import { App, Stack } from 'aws-cdk-lib';
import {
  CustomState,
  type IChainable,
  Pass,
  StateMachine,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { BudgetedDefinition } from '../../infra/constructs/workflow/bounded-definition';
import { workflowBudget } from '../../infra/constructs/workflow/budget';
import { HISTORY_EVENT_LIMIT, MAX_POLLS } from '../../lambdas/shared/polling/limits';

const task = (next: string, timeout = 10, retry?: object) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  TimeoutSeconds: timeout,
  Next: next,
  ...(retry ? { Retry: [retry] } : {}),
});

/** A poll loop (Wait → CheckStatus → IndexingDone → RecordProgress) between a create and an end. */
const pollLoop = {
  CreateDataset: task('WaitBeforeCheck', 100, {
    ErrorEquals: ['X'],
    MaxAttempts: 2,
    IntervalSeconds: 5,
    BackoffRate: 2,
  }),
  WaitBeforeCheck: { Type: 'Wait', SecondsPath: '$.s', Next: 'CheckStatus' },
  CheckStatus: task('IndexingDone', 20),
  IndexingDone: { Type: 'Choice', Choices: [{ Next: 'Done' }], Default: 'RecordProgress' },
  RecordProgress: task('WaitBeforeCheck', 30),
  PollFailed: { Type: 'Pass', Next: 'TooManyFailedChecks' },
  TooManyFailedChecks: { Type: 'Choice', Choices: [{ Next: 'Done' }], Default: 'WaitBeforeCheck' },
  Done: { Type: 'Succeed' },
};

describe('workflowBudget', () => {
  it('counts every state once, every retry once and every loop at its bound', () => {
    const budget = workflowBudget({ States: pollLoop }, [3600]);
    const once = 3 * 5 + 5 * 2;
    expect(budget.loops).toEqual([
      { name: 'status checks', eventsPerRound: 14, rounds: MAX_POLLS, execution: 'folder' },
    ]);
    expect(budget.worstHistoryEvents).toBe(once + 2 * 3 + 14 * MAX_POLLS);
  });

  it('times out after the windows, each overrun by the longest stretch without a wait, plus one before', () => {
    const budget = workflowBudget({ States: pollLoop }, [3600]);
    // CreateDataset at its worst: 3 attempts of 100 s with pauses of 5 and 10 s.
    expect(budget.longestStretchSeconds).toBe(300 + 15);
    expect(budget.timeoutSeconds).toBe(3600 + 2 * 315);
  });

  it('refuses a loop that never waits', () => {
    const spinning = { ...pollLoop, RecordProgress: task('CheckStatus', 30) };
    expect(() => workflowBudget({ States: spinning }, [60])).toThrowError(/without waiting/);
  });
});

describe('BudgetedDefinition', () => {
  /** Synthesizes a state machine whose one task may be retried `attempts` times, before a poll loop. */
  function synth(attempts: number): { TimeoutSeconds?: number } {
    const app = new App();
    const stack = new Stack(app, 'Budget');
    const wait = new Wait(stack, 'WaitBeforeCheck', { time: WaitTime.secondsPath('$.s') });
    const check = new Pass(stack, 'CheckStatus');
    const decide = new Pass(stack, 'IndexingDone');
    const record = new Pass(stack, 'RecordProgress');
    wait.next(check).next(decide).next(record).next(wait);
    const retried = new CustomState(stack, 'Retried', {
      stateJson: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        TimeoutSeconds: 1,
        Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: attempts, IntervalSeconds: 1, BackoffRate: 1 }],
      },
    });
    const chain: IChainable = retried.next(wait);
    new StateMachine(stack, 'M', { definitionBody: new BudgetedDefinition(chain, [600]) });
    const template = app.synth().getStackByName('Budget').template as {
      Resources: Record<string, { Type: string; Properties: { DefinitionString: unknown } }>;
    };
    const machine = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    return JSON.parse(String(machine?.Properties.DefinitionString));
  }

  it('fails synth, naming the loops, when the worst history does not fit', () => {
    // 3 events a retry: 7,000 retries and 900 rounds of the loop are over the limit.
    expect(() => synth(7000)).toThrowError(
      new RegExp(
        `${MAX_POLLS} status checks × 8.*Step Functions fails an execution at ${HISTORY_EVENT_LIMIT}`,
      ),
    );
  });

  it('writes the derived timeout into the definition', () => {
    // The window, and twice the retried task at its worst: 4 attempts of 1 s and 3 pauses of 1 s.
    expect(synth(3).TimeoutSeconds).toBe(600 + 2 * 7);
  });
});
