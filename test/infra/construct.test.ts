import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../infra/config';
import { VisualLayerIngestion, type VisualLayerIngestionProps } from '../../infra/index';
import { cdkJsonContext, type Template as LocalTemplate } from '../../local/aws/cloud-assembly';
import { matchesPattern } from '../../local/aws/event-pattern';
import { localPhysicalId, resolveIntrinsics } from '../../local/aws/intrinsics';

type Resource = { Type: string; Properties: Record<string, unknown> };

/** A stack of someone else's app, synthesized without bundling the functions. */
function consumerStack(outdir?: string): Stack {
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Consumer');
}

/** What cdk-nag's validation report says, as far as these tests read it. */
interface NagReport {
  pluginReports: { violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

/** The problems the construct reports for the props (none when it builds). */
function problemsOf(props: (stack: Stack) => Record<string, unknown>): string[] {
  try {
    const stack = consumerStack();
    new VisualLayerIngestion(stack, 'Ingestion', props(stack) as VisualLayerIngestionProps);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('VisualLayerIngestion props', () => {
  it.each([
    ['bucket', 'bucketName', (s: Stack) => ({ bucket: new Bucket(s, 'B'), bucketName: 'acme-vision-drops' })],
    [
      'credentials',
      'secretName',
      (s: Stack) => ({ credentials: new Secret(s, 'S'), secretName: 'vl/creds' }),
    ],
    [
      'alarmTopic',
      'alarmEmail',
      (s: Stack) => ({ alarmTopic: new Topic(s, 'T'), alarmEmail: 'ops@example.com' }),
    ],
  ])('rejects %s together with %s, naming both', (one, other, props) => {
    expect(problemsOf(props)).toEqual([
      expect.stringMatching(new RegExp(`^${one} and ${other} exclude each other`)),
    ]);
  });

  it('rejects VPC settings without a VPC, one problem per prop', () => {
    const problems = problemsOf(() => ({ vpcSubnets: { subnetGroupName: 'app' }, securityGroups: [] }));
    expect(problems).toEqual([
      expect.stringMatching(/^vpcSubnets places the Visual Layer functions in a VPC: give vpc/),
      expect.stringMatching(/^securityGroups places the Visual Layer functions in a VPC: give vpc/),
    ]);
  });

  it.each([
    { quietSeconds: 0 },
    { folderDepth: 11, trigger: 'Marker' },
    { visualLayerBaseUrl: 'https://vl.example.com/api/v1' },
    { pollIntervalSeconds: 60, maxPollIntervalSeconds: 30 },
    { visualLayerAccess: 'none', visualLayerExternalId: 'acme-7f3c' },
    { maxWaitMinutes: 525_600, maxPollIntervalSeconds: 30 },
  ])('judges settings by the rules of the context keys: %j', (settings) => {
    let expected: string[] = [];
    try {
      parseConfig((key) => (settings as Record<string, unknown>)[key]);
    } catch (error) {
      expected = (error as ConfigError).problems;
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(problemsOf(() => settings)).toEqual(expected);
  });

  it('lists every problem at once, under a heading that names the construct', () => {
    const stack = consumerStack();
    const props = {
      bucket: new Bucket(stack, 'B'),
      bucketName: 'acme-vision-drops',
      credentials: new Secret(stack, 'S'),
      secretName: 'vl/creds',
      quietSeconds: 0,
    };
    expect(() => new VisualLayerIngestion(stack, 'Ingestion', props)).toThrowError(
      /^Invalid VisualLayerIngestion props \(Consumer\/Ingestion\):\n {2}- quietSeconds=0 .*\n {2}- bucket and bucketName .*\n {2}- credentials and secretName /,
    );
  });

  it('takes a bucket KMS key with an existing bucket given by object, refuses it for a new bucket', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(
      problemsOf((s) => ({ bucket: Bucket.fromBucketName(s, 'B', 'acme'), bucketKmsKeyArn: key })),
    ).toEqual([]);
    expect(problemsOf(() => ({ bucketKmsKeyArn: key }))).toEqual([
      expect.stringMatching(/is for an existing bucket \(bucket or bucketName\)/),
    ]);
  });

  it('names a prop that resembles a real one (a JavaScript caller has no type check), and stackName', () => {
    expect(problemsOf(() => ({ quietSecond: 5, stackName: 'Mine' }))).toEqual([
      'quietSecond=5 is not a vl-ingest setting: did you mean quietSeconds?',
      expect.stringMatching(/^stackName is not a prop: the stack is yours; `name` names the deployment/),
    ]);
    expect(problemsOf((s) => ({ bukcet: new Bucket(s, 'B') }))).toEqual([
      'bukcet="<Consumer/B>" is not a vl-ingest setting: did you mean bucket?',
    ]);
  });

  it('gives two pipelines of one stack their own names, and refuses a name taken or malformed', () => {
    const stack = consumerStack();
    const first = new VisualLayerIngestion(stack, 'Cams', { lateObjects: 'ignore' });
    expect(() => new VisualLayerIngestion(stack, 'Again', {})).toThrowError(
      /name="Consumer" is taken by another VisualLayerIngestion of this stack/,
    );
    const second = new VisualLayerIngestion(stack, 'Line3', { name: 'Line3', lateObjects: 'ignore' });
    expect([first.name, second.name]).toEqual(['Consumer', 'Line3']);
    expect(problemsOf(() => ({ name: 'line 3' }))).toEqual([
      expect.stringMatching(/^name="line 3" is invalid/),
    ]);
    const template = Template.fromStack(stack);
    const names = (type: string, property: string) =>
      Object.values(template.findResources(type)).map((r) => (r as Resource).Properties[property] as string);
    const alarms = names('AWS::CloudWatch::Alarm', 'AlarmName');
    expect(alarms).toContain('Consumer-ExecutionsFailed');
    expect(alarms).toContain('Line3-ExecutionsFailed');
    expect(new Set(alarms).size).toBe(alarms.length);
    expect(names('AWS::CloudWatch::Dashboard', 'DashboardName').sort()).toEqual(['Consumer', 'Line3']);
  });

  it('refuses to subscribe to append batches that never run', () => {
    const ingestion = new VisualLayerIngestion(consumerStack(), 'Ingestion', { lateObjects: 'ignore' });
    expect(() => ingestion.onObjectsAppended('Appended')).toThrowError(
      /lateObjects is "ignore", so no append batch runs/,
    );
  });
});

describe('VisualLayerIngestion in an app that owns its bucket, secret, alarm topic and VPC', () => {
  let template: Template;
  let ingestion: VisualLayerIngestion;
  let stack: Stack;
  const ids: Record<string, string> = {};

  let findings: string[];
  const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-consumer-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  beforeAll(() => {
    stack = consumerStack(outdir);
    const bucket = new Bucket(stack, 'Photos', {
      encryption: BucketEncryption.KMS,
      eventBridgeEnabled: true,
    });
    const credentials = new Secret(stack, 'VisualLayerKey');
    const alarmTopic = new Topic(stack, 'Ops');
    const vpc = new Vpc(stack, 'Network', { maxAzs: 2, natGateways: 1 });
    ingestion = new VisualLayerIngestion(stack, 'Ingestion', {
      bucket,
      credentials,
      alarmTopic,
      vpc,
      prefix: 'in/',
    });
    ingestion.onFolderReady('Ready', new SnsTopic(alarmTopic));
    ingestion.onFolderFailed('Failed', new SnsTopic(alarmTopic));
    ingestion.onObjectsAppended('Appended');
    Validations.of(stack.node.root).addPlugins(
      new AwsSolutionsChecks(stack.node.root),
      new ServerlessChecks(stack.node.root),
    );
    // The app's own bucket, secret, topic and VPC have findings of their own: synth stops, but writes it all.
    expect(() => (stack.node.root as App).synth()).toThrowError(/Acknowledge with/);
    const read = (file: string) => JSON.parse(readFileSync(path.join(outdir, file), 'utf8'));
    template = Template.fromJSON(read(`${stack.artifactId}.template.json`));
    findings = (read('validation-report.json') as NagReport).pluginReports.flatMap((r) =>
      r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)),
    );
    const id = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as never);
    Object.assign(ids, {
      bucket: id(bucket),
      key: id(bucket.encryptionKey as never),
      secret: id(credentials),
      topic: id(alarmTopic),
      stateMachine: id(ingestion.stateMachine as never),
    });
  });

  const resources = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
  /** The statements of the policies attached to the role whose logical id starts with `role`. */
  const statementsOf = (role: string) =>
    resources('AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(role)))
      .flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );

  it('passes cdk-nag in the VPC too: every finding is about a resource of the app or its subscriptions', () => {
    expect(findings.length).toBeGreaterThan(0);
    // The on… rules are the caller's, with the caller's targets: their dead-letter queues too.
    const subscriptions = /^Serverless-EventBusDLQ Consumer\/Ingestion\/(Ready|Failed|Appended)\/Resource$/;
    expect(findings.filter((finding) => subscriptions.test(finding))).toHaveLength(3);
    expect(
      findings.filter((finding) => finding.includes('Consumer/Ingestion/') && !subscriptions.test(finding)),
    ).toEqual([]);
  });

  it('watches the given bucket, and creates no bucket but its manifests bucket', () => {
    const rule = resources('AWS::Events::Rule').find(
      ([, r]) => JSON.stringify((r.Properties.EventPattern as { source?: unknown }).source) === '["aws.s3"]',
    );
    expect((rule?.[1].Properties.EventPattern as { detail?: unknown } | undefined)?.detail).toMatchObject({
      bucket: { name: [{ Ref: ids.bucket }] },
      object: { key: [{ wildcard: 'in/*/*' }] },
    });
    expect(
      resources('AWS::S3::Bucket')
        .map(([id]) => id)
        .sort(),
    ).toEqual([ids.bucket, stack.getLogicalId(ingestion.manifestsBucket?.node.defaultChild as never)].sort());
  });

  it('lets the Visual Layer functions read the given secret, by its ARN', () => {
    const create = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('IngestionCreateDataset'));
    expect(create?.[1].Properties.Environment).toMatchObject({
      Variables: { VL_SECRET_ID: { Ref: ids.secret } },
    });
    expect(statementsOf('IngestionCreateDatasetRole')).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['secretsmanager:GetSecretValue']),
        Resource: { Ref: ids.secret },
      }),
    );
  });

  it('has every alarm notify the given topic, and makes no topic of its own', () => {
    const alarms = resources('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(5);
    for (const [, alarm] of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: ids.topic }]);
    expect(resources('AWS::SNS::Topic').map(([id]) => id)).toEqual([ids.topic]);
  });

  it("gives Visual Layer's read role the bucket's objects under the prefix and its KMS key", () => {
    const readRole = stack.getLogicalId(ingestion.readRole?.node.defaultChild as never);
    const statements = resources('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(readRole))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: unknown[] }).Statement);
    expect(JSON.stringify(statements)).toContain(`{"Fn::GetAtt":["${ids.bucket}","Arn"]},"/in/*"`);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [ids.key, 'Arn'] } }),
    );
  });

  it('runs the functions that call Visual Layer in the VPC, and no other', () => {
    const inVpc = resources('AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.VpcConfig !== undefined)
      .map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(inVpc.sort()).toEqual([
      'IngestionAppendingAppendMedia',
      'IngestionCheckStatus',
      'IngestionCreateDataset',
    ]);
    for (const role of [
      'IngestionCheckStatusRole',
      'IngestionCreateDatasetRole',
      'IngestionAppendingAppendMediaRole',
    ]) {
      expect(statementsOf(role), role).toContainEqual(
        expect.objectContaining({
          Action: expect.arrayContaining(['ec2:CreateNetworkInterface']),
          Resource: '*',
        }),
      );
    }
    expect(JSON.stringify(statementsOf('IngestionPlanFolderRole'))).not.toContain('ec2:');
  });

  it('subscribes each rule to what the workflow announces, for its own executions only', () => {
    const json = template.toJSON() as LocalTemplate;
    const definition = json.Resources[ids.stateMachine ?? '']?.Properties?.DefinitionString as {
      'Fn::Join': [string, unknown[]];
    };
    const parts = definition['Fn::Join'][1];
    const states = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'INTRINSIC')).join(''))
      .States as Record<
      string,
      {
        Resource?: string;
        Parameters?: { Entries: { Source: string; DetailType: string; Detail: { status: string } }[] };
      }
    >;
    const ownExecution = `${localPhysicalId(json, ids.stateMachine ?? '').replace(':stateMachine:', ':execution:')}:run-1`;
    const rules = Object.fromEntries(
      resources('AWS::Events::Rule')
        .filter(([id]) => /^Ingestion(Ready|Failed|Appended)/.test(id))
        .map(([id, r]) => [
          id.replace(/^Ingestion|[0-9A-F]{8}$/g, ''),
          resolveIntrinsics(r.Properties.EventPattern, json),
        ]),
    );
    const heard = (executionArn: string) =>
      Object.entries(states)
        .filter(([, s]) => s.Resource?.endsWith(':states:::events:putEvents'))
        .map(([name, s]) => {
          const entry = s.Parameters?.Entries[0];
          const event = {
            source: entry?.Source,
            'detail-type': entry?.DetailType,
            detail: { ...entry?.Detail, executionArn },
          };
          return `${name} -> ${Object.keys(rules)
            .filter((rule) => matchesPattern(event, rules[rule] as never))
            .join(',')}`;
        })
        .sort();
    expect(heard(ownExecution)).toEqual([
      'AnnounceAppendFailed -> Appended',
      'AnnounceAppended -> Appended',
      'AnnounceError -> Failed',
      'AnnounceFailed -> Failed',
      'AnnounceGaveUp -> Failed',
      'AnnounceReady -> Ready',
      'AnnounceTimedOut -> Failed',
    ]);
    const otherMachine = ownExecution.replace(/:execution:[^:]+:/, ':execution:OtherStateMachine:');
    expect(heard(otherMachine).every((line) => line.endsWith('-> '))).toBe(true);
  });

  it('exposes the resources callers wire next', () => {
    const ref = (token: string) => stack.resolve(token) as { Ref?: string; 'Fn::GetAtt'?: string[] };
    const typeOf = (token: string) => {
      const resolved = ref(token);
      const id = resolved.Ref ?? resolved['Fn::GetAtt']?.[0] ?? '';
      return template.toJSON().Resources[id]?.Type;
    };
    expect(typeOf(ingestion.stateMachine.stateMachineArn)).toBe('AWS::StepFunctions::StateMachine');
    expect(typeOf(ingestion.recordsTable.tableName)).toBe('AWS::DynamoDB::Table');
    expect(typeOf(ingestion.ledgerTable.tableName)).toBe('AWS::DynamoDB::Table');
    expect(ingestion.recordsTable.tableName).not.toBe(ingestion.ledgerTable.tableName);
    expect(typeOf(ingestion.objectQueue?.queueArn ?? '')).toBe('AWS::SQS::Queue');
    expect(typeOf(ingestion.deadLetterQueue.queueArn)).toBe('AWS::SQS::Queue');
    expect(typeOf(ingestion.readRole?.roleArn ?? '')).toBe('AWS::IAM::Role');
    expect(typeOf(ingestion.dashboard.dashboardName)).toBe('AWS::CloudWatch::Dashboard');
    expect(ref(ingestion.alarmTopic.topicArn)).toEqual({ Ref: ids.topic });
    expect(ref(ingestion.credentials.secretArn)).toEqual({ Ref: ids.secret });
    expect(typeOf(ingestion.manifestsBucket?.bucketName ?? '')).toBe('AWS::S3::Bucket');
    expect(ingestion.eventSource).toBe(VisualLayerIngestion.EVENT_SOURCE);
    expect(ingestion.functions.length).toBe(
      resources('AWS::Lambda::Function').filter(([id]) => id.startsWith('Ingestion')).length,
    );
  });
});
