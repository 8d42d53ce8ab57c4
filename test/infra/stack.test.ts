import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SETTLE_CAP_SECONDS } from '../../infra/config';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function';
import { RECONCILED_STATUSES, SWEEP_INTERVAL } from '../../infra/constructs/reconciler';
import { TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from '../../infra/constructs/triggers/object-trigger';
import {
  FOLD_BATCH_SIZE,
  FOLD_BATCH_WINDOW,
  FOLD_MAX_RECEIVES,
} from '../../infra/constructs/triggers/quiet-trigger';
import { type BudgetState, workflowBudget, worstTaskSeconds } from '../../infra/constructs/workflow/budget';
import {
  APPEND_METRICS,
  GATE_METRICS,
  METRIC_NAMES,
  METRICS_NAMESPACE,
} from '../../lambdas/shared/metric-names';
import {
  HISTORY_EVENT_LIMIT,
  MAX_BUSY_TRIES,
  MAX_CONSECUTIVE_POLL_FAILURES,
  MAX_CREATE_WAITS,
  MAX_POLLS,
  MAX_SETTLE_CHECKS,
} from '../../lambdas/shared/polling/limits';
import type { SynthesizedApp } from '../../local/aws/cloud-assembly';
import { matchesPattern } from '../../local/aws/event-pattern';
import { type DashboardMetric, dashboardsOf } from '../../scripts/dashboard-body';
import { DASHBOARD_CAPTION, DASHBOARD_PICTURE, renderDashboardSvg } from '../../scripts/dashboard-svg';
import {
  definitionOf,
  rulePatternOf,
  templateOf,
  templateWithoutBundling,
  useSynthesizedApp,
} from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };

/** The logical id of the one resource of a type whose id starts with the stem. */
function logicalId(app: SynthesizedApp, type: string, stem: string): string {
  const ids = Object.entries(app.template.Resources)
    .filter(([id, r]) => r.Type === type && id.startsWith(stem))
    .map(([id]) => id);
  if (ids.length !== 1) throw new Error(`expected one ${type} ${stem}, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/** The stack's one dashboard: every metric of every graph, with the title of its widget. */
function dashboardMetrics(app: SynthesizedApp): (DashboardMetric & { widget: string })[] {
  const dashboards = dashboardsOf(app.template);
  expect(dashboards).toHaveLength(1);
  const widgets = dashboards[0]?.widgets ?? [];
  for (const w of widgets) expect(w.x + w.width, w.title).toBeLessThanOrEqual(24);
  return widgets.flatMap((w) => w.metrics.map((m) => ({ ...m, widget: w.title })));
}

/** Whether a graph of the dashboard draws the metric (namespace, name and exactly these dimensions). */
function draws(
  metrics: DashboardMetric[],
  namespace: string,
  name: string,
  dimensions: Record<string, string>,
): boolean {
  return metrics.some(
    (m) =>
      m.namespace === namespace &&
      m.name === name &&
      JSON.stringify(m.dimensions) === JSON.stringify(dimensions),
  );
}

const FUNCTION_STEMS = [
  'PlanFolder',
  'CreateDataset',
  'CheckStatus',
  'TriggerSettleFolder',
  'TriggerFoldEvents',
  'ReconcilerReconcile',
  'Backfill',
];

describe('default stack', () => {
  const app = useSynthesizedApp();

  it('bundles its functions on Node.js 24, ARM64, traced, with their own log groups', () => {
    const template = templateOf(app());
    const functions = template.findResources('AWS::Lambda::Function');
    expect(
      Object.keys(functions)
        .map((id) => id.replace(/[0-9A-F]{8}$/, ''))
        .sort(),
    ).toEqual([
      'AppendingAppendMedia',
      'Backfill',
      'CheckStatus',
      'CreateDataset',
      'Gate',
      'PlanFolder',
      'ReconcilerReconcile',
      'TriggerFoldEvents',
      'TriggerSettleFolder',
    ]);
    for (const fn of Object.values(functions) as Resource[]) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
      });
    }
    for (const asset of Object.values(app().functionAssets)) expect(asset).toMatch(/asset\./);
  });

  it('creates a private, encrypted, TLS-only bucket that notifies EventBridge without a custom resource', () => {
    const template = templateOf(app());
    template.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: Match.anyValue() }),
    });
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('matches Object Created events of the bucket for keys at folder depth, non-empty only, any extension case', () => {
    const pattern = rulePatternOf(app());
    expect(pattern.source).toEqual(['aws.s3']);
    expect(pattern['detail-type']).toEqual(['Object Created']);
    expect(pattern.detail.bucket.name).toHaveLength(1);
    expect(pattern.detail.object.size).toEqual([{ numeric: ['>', 0] }]);
    const key = (k: string) => matchesPattern({ key: k }, { key: pattern.detail.object.key });
    for (const k of ['set/a.jpg', 'set/a.JPG', 'set/a.Jpg', 'set/deeper/clip.mp4'])
      expect(key(k), k).toBe(true);
    expect(key('loose.jpg')).toBe(false);
  });

  it('queues object events with an explicit retry policy, and keeps undeliverable ones in an encrypted dead-letter queue', () => {
    const template = templateOf(app());
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ObjectEvents'), 'Arn'] },
          RetryPolicy: {
            MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
            MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
          },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetters'), 'Arn'] },
        maxReceiveCount: FOLD_MAX_RECEIVES,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    const policies = template.findResources('AWS::SQS::QueuePolicy') as Record<string, Resource>;
    expect(Object.keys(policies).length).toBeGreaterThanOrEqual(2);
    for (const policy of Object.values(policies)) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('hands queued events to the folding function in large batches, reporting failures per message', () => {
    templateOf(app()).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^TriggerFoldEvents') },
      BatchSize: FOLD_BATCH_SIZE,
      MaximumBatchingWindowInSeconds: FOLD_BATCH_WINDOW.toSeconds(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the folding function start executions of this state machine only, and write only what it writes', () => {
    const template = templateOf(app());
    const policies = Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>);
    const fold = policies.find((p) => JSON.stringify(p.Properties.Roles).includes('FoldEventsRole'));
    const document = fold?.Properties.PolicyDocument as
      | { Statement: { Action: string | string[]; Resource: unknown }[] }
      | undefined;
    const statements = document?.Statement ?? [];
    expect(statements.length).toBeGreaterThan(0);
    const start = statements.find((st) => [st.Action].flat().includes('states:StartExecution'));
    expect(start?.Resource).toEqual({ Ref: expect.stringMatching(/StateMachine/) });
    const actions = statements.flatMap((st) => [st.Action].flat());
    expect(actions).not.toContain('dynamodb:DeleteItem');
    expect(actions).not.toContain('secretsmanager:GetSecretValue');
    expect(actions.some((a) => a.includes('*'))).toBe(false);
  });

  it('keeps records in an on-demand, recoverable, retained table with the two indexes', () => {
    const template = templateOf(app());
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'folderUri', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: Match.arrayWith([
          Match.objectLike({
            IndexName: 'byDatasetId',
            KeySchema: [{ AttributeName: 'datasetId', KeyType: 'HASH' }],
          }),
          Match.objectLike({
            IndexName: 'byStatus',
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'updatedAt', KeyType: 'RANGE' },
            ],
          }),
        ]),
      }),
    });
  });

  it("runs the reconciler on this state machine's failed, timed-out and aborted executions, and on a schedule", () => {
    const template = templateOf(app());
    const reconcile = { 'Fn::GetAtt': [Match.stringLikeRegexp('^ReconcilerReconcile'), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: [...RECONCILED_STATUSES],
          stateMachineArn: [{ Ref: Match.stringLikeRegexp('^WorkflowStateMachine') }],
        },
      },
      Targets: [Match.objectLike({ Arn: reconcile })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: `rate(${SWEEP_INTERVAL.toMinutes()} minutes)`,
      Targets: [Match.objectLike({ Arn: reconcile })],
    });
  });

  it('starts the secret with a placeholder that documents the expected JSON', () => {
    templateOf(app()).hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('apiKey.*apiSecret'),
      GenerateSecretString: Match.objectLike({
        SecretStringTemplate: '{"apiKey":"REPLACE_WITH_API_KEY"}',
        GenerateStringKey: 'apiSecret',
      }),
    });
  });

  it('runs a Standard state machine with a timeout, logging and tracing', () => {
    const template = templateOf(app());
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('derives its timeout from the windows its loops wait in, each overrun by one stretch of work', () => {
    const definition = definitionOf(app()) as unknown as Parameters<typeof workflowBudget>[0] & {
      TimeoutSeconds: number;
    };
    const budget = workflowBudget(definition, [SETTLE_CAP_SECONDS, 1440 * 60]);
    expect(definition.TimeoutSeconds).toBe(budget.timeoutSeconds);
    // The settle cap and the attempt's deadline (gate, waits before a create, status checks) …
    const windows = SETTLE_CAP_SECONDS + 1440 * 60;
    // … each overrun by at most one stretch without a wait: at least a status check, its record and
    // the announcement at their worst (every retry at its task's timeout).
    const { States } = definition;
    const closing = ['CheckStatus', 'RecordReady', 'AnnounceReady'].reduce(
      (n, name) => n + worstTaskSeconds(name, States[name] as BudgetState),
      0,
    );
    expect(budget.longestStretchSeconds).toBeGreaterThanOrEqual(closing);
    expect(definition.TimeoutSeconds).toBe(windows + 3 * budget.longestStretchSeconds);
  });

  it('gives every Task state a timeout, and retries Lambda throttling', () => {
    const { States } = definitionOf(app());
    const tasks = Object.entries(States).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThanOrEqual(8);
    for (const [name, state] of tasks) {
      // The wait for a slot of the gate ends at the attempt's deadline, which the task before it says.
      if (name.startsWith('WaitForSlot')) expect(state.TimeoutSecondsPath).toBe('$.gate.value.waitSeconds');
      else expect(state.TimeoutSeconds, name).toBeGreaterThan(0);
      if (String(state.Resource).includes('lambda:invoke')) {
        const retried = (state.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
        expect(retried, name).toContain('Lambda.TooManyRequestsException');
      }
    }
  });

  it('retries only transient errors on create, loops on them while polling, and records every other failure', () => {
    const { States } = definitionOf(app());
    expect(
      (States.CreateDataset as { Retry: { ErrorEquals: string[] }[] }).Retry.flatMap((r) => r.ErrorEquals),
    ).toContain('VisualLayerTransientError');
    expect((States.CheckStatus as { Catch: { ErrorEquals: string[]; Next: string }[] }).Catch[0]).toEqual({
      ErrorEquals: ['VisualLayerTransientError'],
      ResultPath: '$.pollError',
      Next: 'PollFailed',
    });
    for (const name of ['CreateDataset', 'CheckStatus']) {
      const state = States[name] as {
        Retry: { ErrorEquals: string[] }[];
        Catch: { ErrorEquals: string[]; Next: string }[];
      };
      const retried = state.Retry.flatMap((r) => r.ErrorEquals);
      expect(retried).not.toContain('VisualLayerAuthError');
      expect(retried).not.toContain('VisualLayerBadRequestError');
      expect(retried).not.toContain('States.ALL');
      expect(state.Catch.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
      for (const c of state.Catch) {
        const next = States[c.Next] as { Next: string };
        if (c.Next !== 'PollFailed') expect(next.Next).toBe('RecordFailed');
      }
    }
  });

  it("claims an object event's folder once, claims a failed folder again, and only counts the rest", () => {
    const { States } = definitionOf(app());
    type Update = {
      Parameters: { ConditionExpression: string };
      Catch: { ErrorEquals: string[]; Next: string }[];
    };
    const claim = States.ClaimFolder as Update;
    const reclaim = States.ReclaimFailedFolder as Update;
    const reclaimWithout = States.ReclaimFailedFolderWithoutDataset as Update;
    expect(claim.Parameters.ConditionExpression).toBe('attribute_not_exists(folderUri)');
    expect(claim.Catch[0]).toMatchObject({
      ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
      Next: 'ReclaimFailedFolder',
    });
    // A failed attempt that made a dataset is re-claimed keeping it as lastDatasetId; one that did not
    // is re-claimed by the second update; anything else only counts.
    expect(reclaim.Parameters.ConditionExpression).toBe(
      '#status IN (:error, :timedOut, :failed) AND attribute_exists(datasetId) AND (attribute_not_exists(markerSequencer) OR markerSequencer < :sequencer)',
    );
    expect(reclaim.Catch[0]).toMatchObject({
      ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
      Next: 'ReclaimFailedFolderWithoutDataset',
    });
    expect(reclaimWithout.Parameters.ConditionExpression).toBe(
      '#status IN (:error, :timedOut, :failed) AND attribute_not_exists(datasetId) AND (attribute_not_exists(markerSequencer) OR markerSequencer < :sequencer)',
    );
    expect(reclaimWithout.Catch[0]).toMatchObject({
      ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
      Next: 'CountLateObject',
    });
  });

  it('starts append batches at the append phase, folder executions at the settle loop and object events at the plan', () => {
    const { StartAt, States } = definitionOf(app());
    expect(StartAt).toBe('HowStarted');
    expect(States.HowStarted).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.append', IsPresent: true, Next: 'StartAppendBatch' },
        { Variable: '$.folderUri', IsPresent: true, Next: 'StartSettling' },
      ],
      Default: 'PlanFolder',
    });
    expect(States.WaitForQuiet).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.settle.value.waitSeconds',
      Next: 'SettleFolder',
    });
  });

  it('keeps the worst execution far below the 25,000-event history limit', () => {
    const { States } = definitionOf(app());
    // History events a state writes once: Task = entered, scheduled, started, succeeded/failed, exited.
    const cost = (name: string) => ((States[name]?.Type as string) === 'Task' ? 5 : 2);
    const loop = (...names: string[]) => names.reduce((n, name) => n + cost(name), 0);
    const pollCheck = loop('WaitBeforeCheck', 'CheckStatus', 'IndexingDone', 'RecordProgress');
    const failedCheck = loop('WaitBeforeCheck', 'CheckStatus', 'PollFailed', 'TooManyFailedChecks');
    const settleCheck = loop('SettleFolder', 'FolderSettled', 'RecordCollecting', 'WaitForQuiet');
    const createWait = loop('WaitBeforeCreate', 'CreateDataset', 'CreateAnswered');
    expect([pollCheck, failedCheck, settleCheck, createWait]).toEqual([14, 11, 14, 9]);
    // Everything else at most once, plus every retry the definition allows (3 events each).
    const retries = Object.values(States)
      .flatMap((s) => (s.Retry as { MaxAttempts?: number }[] | undefined) ?? [])
      .reduce((n, r) => n + 3 * (r.MaxAttempts ?? 3), 0);
    const once = Object.keys(States).reduce((n, name) => n + cost(name), 0);
    const worst =
      once +
      retries +
      MAX_SETTLE_CHECKS * settleCheck +
      MAX_CREATE_WAITS * createWait +
      MAX_POLLS * Math.max(pollCheck, failedCheck);
    expect(worst).toBeLessThan(HISTORY_EVENT_LIMIT);
    expect(MAX_CONSECUTIVE_POLL_FAILURES).toBeLessThan(MAX_POLLS);
    // An append batch (an execution of its own): settling, 409 waits, then checks that may each also
    // ask the task manager.
    const appendSettle = loop('SettleAppend', 'AppendSettled', 'WaitForAppendQuiet');
    const busy = loop('SendBatch', 'BatchAccepted', 'WaitBeforeResend');
    const batchCheck = loop(
      'WaitBeforeBatchCheck',
      'CheckBatch',
      'BatchIndexed',
      'FinishBatch',
      'BatchFinished',
    );
    const worstBatch =
      once + retries + MAX_SETTLE_CHECKS * appendSettle + MAX_BUSY_TRIES * busy + MAX_POLLS * batchCheck;
    expect(worstBatch).toBeLessThan(HISTORY_EVENT_LIMIT);
    // The same sums are what synth checks (budget.ts), from every loop that can run, the worse of the two.
    expect(workflowBudget(definitionOf(app()) as never, []).worstHistoryEvents).toBe(
      Math.max(worst, worstBatch),
    );
  });

  it('outputs what a user or the CLI needs next', () => {
    const outputs = templateOf(app()).findOutputs('*');
    const deadLetters = Object.keys(templateOf(app()).findResources('AWS::SQS::Queue')).find((id) =>
      id.includes('DeadLetters'),
    );
    expect(outputs.DeadLetterQueueArn?.Value).toEqual({ 'Fn::GetAtt': [deadLetters, 'Arn'] });
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'BackfillStateMachineArn',
        'BucketName',
        'CredentialsSecret',
        'DashboardUrl',
        'DeadLetterQueueUrl',
        'DeadLetterQueueArn',
        'ManifestsBucketName',
        'ObjectQueueArn',
        'VisualLayerReadRoleArn',
        'RecordsTableName',
        'StateMachineArn',
        'VisualLayerBaseUrl',
        'GateTableName',
        'MaxConcurrentDatasets',
      ].sort(),
    );
  });

  it("outputs the dashboard's console URL in the stack's region", () => {
    const dashboard = logicalId(app(), 'AWS::CloudWatch::Dashboard', 'Monitoring');
    const url = JSON.stringify(templateOf(app()).findOutputs('DashboardUrl').DashboardUrl?.Value);
    expect(url).toContain('https://');
    expect(url).toContain('.console.aws.amazon.com/cloudwatch/home?region=');
    expect(url).toContain('{"Ref":"AWS::Region"}');
    expect(url).toContain(`{"Ref":"${dashboard}"}`);
    templateOf(app()).hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'VlIngest' });
  });

  it('draws every metric the functions emit, by the stack as service, with the indexing duration p50 and p95', () => {
    const metrics = dashboardMetrics(app());
    for (const name of Object.values(METRIC_NAMES)) {
      expect(draws(metrics, METRICS_NAMESPACE, name, { service: 'VlIngest' }), name).toBe(true);
    }
    for (const m of metrics.filter((x) => x.namespace === METRICS_NAMESPACE)) {
      expect(Object.keys(m.dimensions), m.name).toEqual(['service']);
    }
    const durations = metrics.filter((m) => m.name === METRIC_NAMES.indexingDuration).map((m) => m.stat);
    expect(durations.sort()).toEqual(['p50', 'p95']);
    const outcomes = metrics.filter((m) => m.widget === 'Folders by outcome');
    expect(outcomes.map((m) => m.name ?? m.expression)).toEqual(
      expect.arrayContaining([
        METRIC_NAMES.datasetsReady,
        METRIC_NAMES.datasetsError,
        METRIC_NAMES.datasetsTimedOut,
        METRIC_NAMES.recordsReconciled,
        expect.stringContaining('executionsFailed'),
      ]),
    );
  });

  it('is pictured in the docs as it is synthesized (npm run docs:dashboard redraws it)', () => {
    const [dashboard] = dashboardsOf(app().template);
    if (!dashboard) throw new Error('no dashboard');
    const pictured = readFileSync(path.join(REPO_ROOT, DASHBOARD_PICTURE), 'utf8');
    const current = renderDashboardSvg(dashboard, DASHBOARD_CAPTION);
    expect(pictured === current, `${DASHBOARD_PICTURE} is out of date: run npm run docs:dashboard`).toBe(
      true,
    );
  });

  it('draws failed executions, the queue age, the dead-letter depth, and every function’s errors and throttles', () => {
    const a = app();
    const metrics = dashboardMetrics(a);
    const machine = logicalId(a, 'AWS::StepFunctions::StateMachine', 'Workflow');
    expect(draws(metrics, 'AWS/States', 'ExecutionsFailed', { StateMachineArn: `\${${machine}}` })).toBe(
      true,
    );
    const deadLetters = logicalId(a, 'AWS::SQS::Queue', 'TriggerDeadLetters');
    const objects = logicalId(a, 'AWS::SQS::Queue', 'TriggerObjectEvents');
    const queue = (id: string) => ({ QueueName: `\${${id}.QueueName}` });
    expect(draws(metrics, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', queue(deadLetters))).toBe(true);
    expect(draws(metrics, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', queue(objects))).toBe(true);
    for (const stem of FUNCTION_STEMS) {
      const fn = { FunctionName: `\${${logicalId(a, 'AWS::Lambda::Function', stem)}}` };
      expect(draws(metrics, 'AWS/Lambda', 'Errors', fn), stem).toBe(true);
      expect(draws(metrics, 'AWS/Lambda', 'Throttles', fn), stem).toBe(true);
    }
  });
});

describe('stack for an existing bucket and prefix', () => {
  const app = useSynthesizedApp({
    bucketName: 'acme-vision-drops',
    prefix: 'incoming drops/',
    secretName: 'vl/creds',
  });

  it('creates no drop bucket (only its manifests bucket) and filters on the named bucket and the encoded prefix', () => {
    const template = templateOf(app());
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    const { detail } = rulePatternOf(app());
    expect(detail.bucket.name).toEqual(['acme-vision-drops']);
    expect(detail.object.key).toEqual([{ wildcard: 'incoming+drops/*/*' }]);
  });

  it('grants read on the named secret to the three Visual Layer functions', () => {
    const template = templateOf(app());
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Resource[];
    const statement = policies
      .map((p) => JSON.stringify(p.Properties.PolicyDocument))
      .filter((t) => t.includes('secretsmanager:GetSecretValue'));
    expect(statement).toHaveLength(3);
    for (const t of statement) expect(t).toContain(':secret:vl/creds-??????');
  });
});

describe('stack with trigger=marker', () => {
  const app = useSynthesizedApp({ trigger: 'marker', markerName: '_DONE', prefix: 'in/' });

  it('starts the state machine straight from the rule, with no queue or folding function', () => {
    const template = templateOf(app());
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('StateMachine') },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
          DeadLetterConfig: Match.anyValue(),
        }),
      ],
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    // The records, the object ledger, the gate on datasets in flight and the backfill's runs.
    template.resourceCountIs('AWS::DynamoDB::Table', 4);
    // Object events start at the plan; append batches (their input has `append`) at the append phase;
    // folders the backfill claimed (their input has `folderUri`) at the create.
    expect(definitionOf(app()).States.HowStarted).toMatchObject({
      Choices: [
        { Variable: '$.append', IsPresent: true, Next: 'StartAppendBatch' },
        { Variable: '$.folderUri', IsPresent: true, Next: 'StartAttempt' },
      ],
      Default: 'PlanFolder',
    });
  });

  it('draws the dead-letter depth and the functions it has on its dashboard', () => {
    const a = app();
    const metrics = dashboardMetrics(a);
    const deadLetters = logicalId(a, 'AWS::SQS::Queue', 'TriggerDeadLetters');
    const visible = metrics.filter((m) => m.name === 'ApproximateNumberOfMessagesVisible');
    expect(visible.map((m) => m.dimensions)).toContainEqual({ QueueName: `\${${deadLetters}.QueueName}` });
    const functions = new Set(
      metrics.filter((m) => m.name === 'Errors').map((m) => m.dimensions.FunctionName),
    );
    // Plan, create, check, reconcile, the gate's, append, list and backfill: no folding or settling functions.
    expect(functions.size).toBe(8);
  });

  it("counts one deadline per attempt: the create and the status checks both from StartAttempt's clock", () => {
    const { States } = definitionOf(app());
    expect(States.StartAttempt).toMatchObject({
      Type: 'Pass',
      Parameters: { value: { 'since.$': '$$.State.EnteredTime' } },
      ResultPath: '$.created',
      Next: 'AcquireSlot',
    });
    for (const name of ['CreateDataset', 'CheckStatus']) {
      expect((States[name] as { Parameters: { Payload: object } }).Parameters.Payload, name).toMatchObject({
        'since.$': '$.created.value.since',
      });
    }
  });

  it("has no settle window in its timeout: the attempt's deadline and two stretches of work", () => {
    const definition = definitionOf(app()) as unknown as Parameters<typeof workflowBudget>[0] & {
      TimeoutSeconds: number;
    };
    const { longestStretchSeconds } = workflowBudget(definition, []);
    expect(definition.TimeoutSeconds).toBe(1440 * 60 + 2 * longestStretchSeconds);
  });

  it('outputs the marker name, which the CLI needs to retry a folder, and no object queue', () => {
    const outputs = templateOf(app()).findOutputs('*');
    expect(outputs.MarkerName?.Value).toBe('_DONE');
    expect(outputs.ObjectQueueArn).toBeUndefined();
  });

  it('matches only the marker object, whatever its size', () => {
    const object = rulePatternOf(app()).detail.object;
    expect(object.key).toEqual([{ wildcard: 'in/*/_DONE' }]);
    expect(object.size).toBeUndefined();
  });
});

describe('stack without the gate and without appends', () => {
  it('draws neither the gate nor the appends: graphs that could never have data', () => {
    const template = templateWithoutBundling({ maxConcurrentDatasets: '0', lateObjects: 'ignore' });
    const [dashboard] = dashboardsOf(template.toJSON() as never);
    const drawn = new Set(dashboard?.widgets.flatMap((w) => w.metrics.map((m) => m.name)));
    expect(drawn.has(METRIC_NAMES.datasetsReady)).toBe(true);
    for (const name of [...GATE_METRICS, ...APPEND_METRICS]) expect(drawn.has(name), name).toBe(false);
  });
});
