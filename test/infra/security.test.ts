import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ANNOUNCEMENT_SOURCE } from '../../infra/constructs/workflow/tasks';
import type { SynthesizedApp } from '../../local/aws/cloud-assembly';
import { templateOf, useSynthesizedApp } from '../support/synth';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
};

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: unknown[];
    suppressedViolations: { ruleName: string; reason: string; acknowledgedAt: string }[];
  }[];
}

function report(app: SynthesizedApp): ValidationReport {
  const file = path.join(app.outdir, 'validation-report.json');
  expect(existsSync(file), 'cdk-nag wrote its report').toBe(true);
  return JSON.parse(readFileSync(file, 'utf8')) as ValidationReport;
}

/** Every IAM policy: the roles it is attached to (construct ids) and its statements. */
function policies(app: SynthesizedApp): { roles: string[]; statements: Statement[] }[] {
  return Object.values(app.template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .map((r) => {
      const props = (r.Properties ?? {}) as {
        Roles?: { Ref: string }[];
        PolicyDocument?: { Statement: Statement[] };
      };
      return {
        roles: (props.Roles ?? []).map((role) => role.Ref.replace(/[0-9A-F]{8}$/, '')),
        statements: props.PolicyDocument?.Statement ?? [],
      };
    });
}

describe.each([
  ['defaults', {}],
  ['marker trigger', { trigger: 'marker' }],
  [
    'existing bucket, secret, an alarm e-mail, and the read role with its external id and bucket key',
    {
      bucketName: 'acme-vision-drops',
      secretName: 'vl/creds',
      alarmEmail: 'ops@example.com',
      visualLayerExternalId: 'acme-7f3c',
      bucketKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    },
  ],
])('security with %s', (_name, context) => {
  const app = useSynthesizedApp(context);

  it('passes the AwsSolutions and Serverless cdk-nag packs, every acknowledgement with a specific reason', () => {
    const { pluginReports } = report(app());
    expect(pluginReports.map((r) => r.pluginName).sort()).toEqual(['AwsSolutions', 'Serverless']);
    for (const plugin of pluginReports) {
      expect(plugin.violations, plugin.pluginName).toEqual([]);
      expect(plugin.conclusion).toBe('success');
      for (const suppressed of plugin.suppressedViolations) {
        expect(suppressed.reason.length, suppressed.ruleName).toBeGreaterThan(60);
        // Acknowledged on the resource that needs it, never on the whole stack or app.
        expect(suppressed.acknowledgedAt.split('/').length, suppressed.ruleName).toBeGreaterThan(1);
      }
    }
  });

  it('grants no wildcard action, and lets no one but the three Visual Layer functions read the secret', () => {
    for (const statement of policies(app()).flatMap((p) => p.statements)) {
      for (const action of [statement.Action].flat()) {
        expect(action, JSON.stringify(statement)).not.toContain('*');
      }
    }
    const readers = policies(app())
      .filter((p) => JSON.stringify(p.statements).includes('secretsmanager:GetSecretValue'))
      .flatMap((p) => p.roles);
    const appender = 'lateObjects' in context ? [] : ['AppendingAppendMediaRole'];
    expect(readers.sort()).toEqual([...appender, 'CheckStatusRole', 'CreateDatasetRole'].sort());
  });

  it('lets only the state machine, the folding function, the append function and the reconciler write records', () => {
    const writers = policies(app())
      .filter((p) =>
        p.statements.some(
          (st) =>
            [st.Action].flat().some((a) => /dynamodb:(PutItem|UpdateItem|BatchWriteItem)/.test(a)) &&
            JSON.stringify(st.Resource).includes('RecordsTable'),
        ),
      )
      .flatMap((p) => p.roles);
    const expected =
      'trigger' in context
        ? ['ReconcilerReconcileRole', 'WorkflowStateMachineRole']
        : ['ReconcilerReconcileRole', 'TriggerFoldEventsRole', 'WorkflowStateMachineRole'];
    // The backfill claims folders as the folding function does.
    expect(writers.sort()).toEqual(['AppendingAppendMediaRole', 'BackfillBackfillRole', ...expected].sort());
  });

  it('encrypts queues, topic, logs and tables, and refuses plain HTTP on queues and topic', () => {
    const template = templateOf(app());
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue')) as Resource[]) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')) as Resource[]) {
      expect(group.Properties.KmsKeyId).toBeDefined();
    }
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table')) as Resource[]) {
      expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
    }
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const type of ['AWS::SQS::QueuePolicy', 'AWS::SNS::TopicPolicy']) {
      const policies = Object.values(template.findResources(type)) as Resource[];
      expect(policies.length, type).toBeGreaterThan(0);
      for (const policy of policies)
        expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
  });
  it('lets the state machine invoke its functions by unqualified ARN only, with no acknowledgement for versions', () => {
    const invoke = policies(app())
      .filter((p) => p.roles.includes('WorkflowStateMachineRole'))
      .flatMap((p) => p.statements)
      .filter((st) => [st.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke.length).toBeGreaterThan(0);
    for (const st of invoke) {
      for (const resource of [st.Resource].flat()) {
        expect(resource, JSON.stringify(resource)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      }
    }
    const acknowledged = report(app()).pluginReports.flatMap((r) => r.suppressedViolations);
    expect(acknowledged.filter((v) => /\.Arn>:\*\]$/.test(v.ruleName)).map((v) => v.ruleName)).toEqual([]);
  });

  it("lets the state machine put only vl-ingest's own events on the bus", () => {
    const puts = policies(app())
      .flatMap((p) => p.statements)
      .filter((st) => [st.Action].flat().includes('events:PutEvents'));
    expect(puts.length).toBeGreaterThan(0);
    for (const st of puts) {
      expect(st.Condition).toEqual({ StringEquals: { 'events:source': ANNOUNCEMENT_SOURCE } });
    }
  });

  it('lets AWS services use the key only for this account and region', () => {
    const keys = Object.values(templateOf(app()).findResources('AWS::KMS::Key')) as Resource[];
    expect(keys).toHaveLength(1);
    const statements =
      (keys[0]?.Properties.KeyPolicy as { Statement: Statement[] } | undefined)?.Statement ?? [];
    const forService = (name: string) =>
      statements.filter((st) => JSON.stringify(st.Principal).includes(name));
    const here = (service: string, resource: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:${service}:`,
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:${resource}`,
        ],
      ],
    });
    expect(forService('logs.').map((st) => st.Condition)).toEqual([
      { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': here('logs', 'log-group:*') } },
    ]);
    expect(forService('cloudwatch.amazonaws.com').map((st) => st.Condition)).toEqual([
      {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        ArnLike: { 'aws:SourceArn': here('cloudwatch', 'alarm:*') },
      },
    ]);
    for (const st of statements.filter((s) => JSON.stringify(s.Principal).includes('Service'))) {
      expect(st.Condition, JSON.stringify(st.Principal)).toBeDefined();
    }
  });

  it('logs access to a bucket it creates into a retained, encrypted, TLS-only log bucket that expires old logs', () => {
    const template = templateOf(app());
    const buckets = template.findResources('AWS::S3::Bucket') as Record<
      string,
      Resource & { DeletionPolicy?: string }
    >;
    if ('bucketName' in context) {
      // Only the stack's own manifests bucket (below).
      expect(Object.keys(buckets).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
        'AppendingManifestsBucket',
      ]);
      return;
    }
    const logBucketId = Object.keys(buckets).find((id) => id.includes('AccessLogs'));
    expect(logBucketId, Object.keys(buckets).join()).toBeDefined();
    const drops = Object.entries(buckets).find(([id]) => id.includes('Drops'))?.[1];
    expect(drops?.Properties.LoggingConfiguration).toMatchObject({
      DestinationBucketName: { Ref: logBucketId },
    });
    const logs = buckets[logBucketId as string];
    expect(logs?.DeletionPolicy).toBe('Retain');
    expect(logs?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: expect.any(Number) })],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe.each([
  ['defaults', {}],
  ['an existing bucket', { bucketName: 'acme-vision-drops' }],
])('the manifests bucket with %s', (_name, context) => {
  const app = useSynthesizedApp(context);

  it('is private, encrypted, TLS-only, retained, expires manifests after 30 days, and is access-logged or acknowledged', () => {
    const template = templateOf(app());
    const buckets = template.findResources('AWS::S3::Bucket') as Record<
      string,
      Resource & { DeletionPolicy?: string }
    >;
    const [id, manifests] = Object.entries(buckets).find(([key]) => key.includes('Manifests')) ?? [];
    expect(manifests?.DeletionPolicy).toBe('Retain');
    expect(manifests?.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: {
        Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 30 })],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const logged = manifests?.Properties.LoggingConfiguration as { LogFilePrefix?: string } | undefined;
    const acknowledged = report(app())
      .pluginReports.flatMap((r) => r.suppressedViolations)
      .filter((v) => v.ruleName === 'AwsSolutions-S1' && v.acknowledgedAt.includes('Manifests'));
    if ('bucketName' in context) {
      expect(logged).toBeUndefined();
      expect(acknowledged).toHaveLength(1);
    } else {
      expect(logged?.LogFilePrefix).toBe('manifests/');
      expect(acknowledged).toEqual([]);
    }
    expect(templateOf(app()).findOutputs('ManifestsBucketName')).toMatchObject({
      ManifestsBucketName: { Value: { Ref: id } },
    });
  });
});

describe('IAM scope with the defaults', () => {
  const app = useSynthesizedApp();

  it('lets the backfill start itself (continue-as-new) from a policy its state machine does not wait for: no cycle', () => {
    const resources = Object.entries(app().template.Resources) as [
      string,
      Resource & { DependsOn?: string[] },
    ][];
    const [machineId, machine] =
      resources.find(
        ([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith('Backfill'),
      ) ?? [];
    const starts = resources.filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties).includes('states:StartExecution') &&
        JSON.stringify(r.Properties.Roles).includes('BackfillStateMachineRole'),
    );
    expect(starts.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['BackfillContinueAsNew']);
    const [policyId, policy] = starts[0] ?? [];
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain(`{"Ref":"${machineId}"}`);
    expect(machine?.DependsOn ?? []).not.toContain(policyId);
  });

  it('gives each role exactly the actions its code calls, on its own resources', () => {
    const granted = new Map<string, Set<string>>();
    for (const { roles, statements } of policies(app())) {
      for (const st of statements) {
        const resources = JSON.stringify(st.Resource);
        for (const action of [st.Action].flat()) {
          // Resource "*" is allowed only for actions that have no resource-level permissions.
          if (resources === '"*"')
            expect(action, `${roles} ${action}`).toMatch(
              /^(xray:|logs:(Create|Delete|Get|Update)LogDelivery|logs:ListLogDeliveries|logs:(PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))/,
            );
          for (const role of roles)
            granted.set(role, (granted.get(role) ?? new Set()).add(`${action} ${resourceName(resources)}`));
        }
      }
    }
    const own = (fn: string) => [
      `logs:CreateLogStream ${fn}Logs`,
      `logs:PutLogEvents ${fn}Logs`,
      'xray:PutTelemetryRecords *',
      'xray:PutTraceSegments *',
    ];
    const secret = [
      'secretsmanager:DescribeSecret CredentialsSecret',
      'secretsmanager:GetSecretValue CredentialsSecret',
    ];
    const expected: Record<string, string[]> = {
      PlanFolderRole: own('PlanFolder'),
      CreateDatasetRole: [...own('CreateDataset'), ...secret, 'dynamodb:GetItem RecordsTable'],
      CheckStatusRole: [...own('CheckStatus'), ...secret],
      TriggerSettleFolderRole: [...own('TriggerSettleFolder'), 'dynamodb:Query LedgerTable'],
      TriggerFoldEventsRole: [
        ...own('TriggerFoldEvents'),
        'dynamodb:UpdateItem LedgerTable',
        'dynamodb:Query LedgerTable',
        'dynamodb:GetItem RecordsTable',
        'dynamodb:PutItem RecordsTable',
        'dynamodb:UpdateItem RecordsTable',
        'states:StartExecution WorkflowStateMachine',
        'states:DescribeExecution WorkflowStateMachine',
        'sqs:ChangeMessageVisibility TriggerObjectEvents',
        'sqs:DeleteMessage TriggerObjectEvents',
        'sqs:GetQueueAttributes TriggerObjectEvents',
        'sqs:GetQueueUrl TriggerObjectEvents',
        'sqs:ReceiveMessage TriggerObjectEvents',
      ],
      // Read-only, on the watched bucket and the manifests: Visual Layer's account assumes it (test/infra/visual-layer-role.test.ts).
      VisualLayerReadRole: [
        's3:GetObject AppendingManifestsBucket,BucketDrops',
        's3:GetObjectVersion AppendingManifestsBucket,BucketDrops',
        's3:ListBucket AppendingManifestsBucket,BucketDrops',
        's3:GetBucketLocation AppendingManifestsBucket,BucketDrops',
      ],
      AppendingAppendMediaRole: [
        ...own('AppendingAppendMedia'),
        ...secret,
        'dynamodb:GetItem RecordsTable',
        'dynamodb:UpdateItem RecordsTable',
        'dynamodb:Query LedgerTable',
        'dynamodb:BatchGetItem LedgerTable',
        'dynamodb:UpdateItem LedgerTable',
        's3:PutObject AppendingManifestsBucket',
        's3:GetObject AppendingManifestsBucket',
        'states:StartExecution WorkflowStateMachine',
        'states:DescribeExecution WorkflowStateMachine',
      ],
      ReconcilerReconcileRole: [
        ...own('ReconcilerReconcile'),
        'dynamodb:UpdateItem RecordsTable',
        'dynamodb:Query RecordsTable',
        'states:DescribeExecution WorkflowStateMachine',
        // Gives back the slots of ended executions and hands them on.
        'dynamodb:GetItem GateTable',
        'dynamodb:UpdateItem GateTable',
        'dynamodb:DeleteItem GateTable',
        'dynamodb:Query GateTable',
        'states:SendTaskSuccess WorkflowStateMachine',
      ],
      // Lists the bucket and claims its folders as the folding function does; holds a run per prefix.
      BackfillBackfillRole: [
        ...own('BackfillBackfill'),
        's3:ListBucket BucketDrops',
        'dynamodb:UpdateItem LedgerTable',
        'dynamodb:Query LedgerTable',
        // The records (claims) and the runs: one statement, the same three actions.
        'dynamodb:GetItem BackfillRuns,RecordsTable',
        'dynamodb:PutItem BackfillRuns,RecordsTable',
        'dynamodb:UpdateItem BackfillRuns,RecordsTable',
        // Counts the folders in flight on the byStatus index.
        'dynamodb:Query RecordsTable',
        'states:StartExecution WorkflowStateMachine',
        'states:DescribeExecution WorkflowStateMachine',
        // Its own executions, in a policy of its own (the state machine invokes the function).
        'states:DescribeExecution BackfillStateMachine',
      ],
      // Like the ingest state machine's: its function, X-Ray, and the delivery of its execution logs.
      BackfillStateMachineRole: [
        'lambda:InvokeFunction Backfill',
        ...[
          'CreateLogDelivery',
          'DeleteLogDelivery',
          'DescribeLogGroups',
          'DescribeResourcePolicies',
          'GetLogDelivery',
          'ListLogDeliveries',
          'PutResourcePolicy',
          'UpdateLogDelivery',
        ].map((action) => `logs:${action} *`),
        ...['PutTraceSegments', 'PutTelemetryRecords', 'GetSamplingRules', 'GetSamplingTargets'].map(
          (action) => `xray:${action} *`,
        ),
        // Continue-as-new, in a policy of its own: the state machine's role does not name it.
        'states:StartExecution BackfillStateMachine',
      ],
      GateGateRole: [
        ...own('GateGate'),
        'dynamodb:GetItem GateTable',
        'dynamodb:PutItem GateTable',
        'dynamodb:UpdateItem GateTable',
        'dynamodb:DeleteItem GateTable',
        'dynamodb:Query GateTable',
        'states:SendTaskSuccess WorkflowStateMachine',
        'states:DescribeExecution WorkflowStateMachine',
      ],
    };
    for (const [role, actions] of Object.entries(expected)) {
      expect([...(granted.get(role) ?? [])].sort(), role).toEqual(actions.sort());
    }
    // A new role is pinned here too: none may slip in unlisted.
    expect([...granted.keys()].sort()).toEqual([...Object.keys(expected), 'WorkflowStateMachineRole'].sort());
    const machine = [...(granted.get('WorkflowStateMachineRole') ?? [])];
    expect(machine.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:UpdateItem RecordsTable']);
    expect(machine.filter((a) => a.startsWith('lambda:'))).toEqual([
      'lambda:InvokeFunction AppendingAppendMedia,CheckStatus,CreateDataset,Gate,PlanFolder,TriggerSettleFolder',
    ]);
  });
});

/** The logical-id stems a statement's resources name, or `*`. */
function resourceName(resources: string): string {
  if (resources === '"*"') return '*';
  const ids = [...resources.matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"([A-Za-z0-9]+?)[0-9A-F]{8}"/g)].map(
    (m) => m[1] as string,
  );
  return [...new Set(ids)].sort().join(',');
}

/**
 * The one metric an alarm watches, however it is written: as properties of the alarm, or as the only
 * query of its `Metrics` (the form CloudFormation gets when the metric has a label).
 */
function alarmMetric(alarm: Record<string, unknown>): Record<string, unknown> {
  const queries = alarm.Metrics as
    | {
        MetricStat?: { Metric: Record<string, unknown>; Period: number; Stat: string };
        ReturnData?: boolean;
      }[]
    | undefined;
  if (!queries) return alarm;
  expect(queries, 'one metric, no math').toHaveLength(1);
  const stat = queries[0]?.MetricStat;
  return { ...stat?.Metric, Period: stat?.Period, Statistic: stat?.Stat };
}

describe('alarms', () => {
  const app = useSynthesizedApp({ alarmEmail: 'ops@example.com' });

  it("alarm on failed and timed-out executions, dead letters and every function's errors, into the topic", () => {
    const template = templateOf(app());
    const alarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[]).map(
      (a): Record<string, unknown> & { metric: Record<string, unknown> } => ({
        ...a.Properties,
        metric: alarmMetric(a.Properties),
      }),
    );
    const metrics = alarms.map((a) => `${a.metric.Namespace}/${a.metric.MetricName}`).sort();
    // One errors alarm per function: plan, create, check, settle, fold, reconcile, gate, append, backfill.
    expect(metrics).toEqual([
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Errors',
      'AWS/SQS/ApproximateNumberOfMessagesVisible',
      'AWS/States/ExecutionsFailed',
      'AWS/States/ExecutionsTimedOut',
    ]);
    const topics = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    for (const alarm of alarms) {
      // The first occurrence in five minutes fires; no data is not an alarm.
      expect(alarm).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        EvaluationPeriods: 1,
        AlarmActions: [{ Ref: topics[0] }],
      });
      expect(alarm.metric).toMatchObject({
        Period: 300,
        Statistic: alarm.metric.MetricName === 'ApproximateNumberOfMessagesVisible' ? 'Maximum' : 'Sum',
      });
      expect(alarm.DatapointsToAlarm ?? 1).toBe(1);
      expect(alarm.OKActions).toBeUndefined();
      expect(String(alarm.AlarmDescription).length).toBeGreaterThan(30);
    }
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual(
      [
        'ExecutionsFailed',
        'ExecutionsTimedOut',
        'DeadLetters',
        ...[
          'PlanFolder',
          'CreateDataset',
          'CheckStatus',
          'SettleFolder',
          'FoldEvents',
          'Reconcile',
          'Gate',
          'AppendMedia',
          'Backfill',
        ].map((fn) => `${fn}Errors`),
      ]
        .map((name) => `VlIngest-${name}`)
        .sort(),
    );
    // Each on its own resource: the state machine, the dead-letter queue, each of the nine functions once.
    const watched = alarms.map((a) => resourceName(JSON.stringify(a.metric.Dimensions))).sort();
    expect(watched).toEqual(
      [
        'AppendingAppendMedia',
        'Backfill',
        'CheckStatus',
        'CreateDataset',
        'Gate',
        'PlanFolder',
        'ReconcilerReconcile',
        'TriggerDeadLetters',
        'TriggerFoldEvents',
        'TriggerSettleFolder',
        'WorkflowStateMachine',
        'WorkflowStateMachine',
      ].sort(),
    );
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('lets CloudWatch use the topic key, and Logs the log groups key', () => {
    const template = templateOf(app());
    const keys = Object.values(template.findResources('AWS::KMS::Key')) as Resource[];
    expect(keys).toHaveLength(1);
    const policy = keys[0]?.Properties.KeyPolicy as { Statement: Statement[] } | undefined;
    const principals = JSON.stringify(policy?.Statement.map((s) => s.Principal));
    expect(principals).toContain('cloudwatch.amazonaws.com');
    expect(principals).toContain('logs.');
  });
});
