import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app';
import { parseConfig } from '../../infra/config';
import { VlIngestStack } from '../../infra/stack';
import { cdkJsonContext } from '../../local/aws/cloud-assembly';

type Resource = { Type: string; Properties?: Record<string, unknown> };

/**
 * `…Name` properties that name no resource of the account: an inline policy lives inside its role,
 * an alarm's metric is CloudWatch's.
 */
const NOT_ACCOUNT_NAMES = ['AWS::IAM::Policy.PolicyName', 'AWS::CloudWatch::Alarm.MetricName'];

/**
 * Names a template gives its resources itself (not left to CloudFormation): every top-level property
 * called `…Name` (`DisplayName` too) that holds a literal string, as `Type.Property=value`.
 */
function explicitNames(template: Template): string[] {
  return Object.values(template.toJSON().Resources as Record<string, Resource>).flatMap((resource) =>
    Object.entries(resource.Properties ?? {})
      .filter(([key, value]) => /Name$/.test(key) && typeof value === 'string')
      .filter(([key]) => !NOT_ACCOUNT_NAMES.includes(`${resource.Type}.${key}`))
      .map(([key, value]) => `${resource.Type}.${key}=${value}`),
  );
}

describe('several deployments in one account', () => {
  it.each([
    [{}, 'VlIngest'],
    [{ stackName: 'VlIngestCams' }, 'VlIngestCams'],
  ])('names the one stack of the app after stackName (%j)', (context, stackName) => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-names-'));
    try {
      const app = new App({
        outdir,
        context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
      });
      buildApp(app);
      expect(app.synth().stacks.map((stack) => stack.stackName)).toEqual([stackName]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('synthesizes two stacks side by side whose explicit names all derive from their stack names', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-two-'));
    const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
    const deployments: Record<string, Record<string, string>> = {
      VlIngest: { bucketName: 'acme-vision-drops', prefix: 'incoming/', alarmEmail: 'ops@example.com' },
      VlIngestCams: {
        bucketName: 'acme-vision-drops',
        prefix: 'cams/',
        trigger: 'marker',
        alarmEmail: 'ops@example.com',
      },
    };
    for (const [stackName, context] of Object.entries(deployments)) {
      const config = parseConfig((key) => ({ ...context, stackName })[key]);
      new VlIngestStack(app, config.stackName, { config });
    }
    try {
      const assembly = app.synth();
      expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(Object.keys(deployments));
      const names = assembly.stacks.map((stack) => {
        const explicit = explicitNames(Template.fromJSON(stack.template));
        for (const name of explicit) expect(name, stack.stackName).toContain(stack.stackName);
        return explicit;
      });
      const [first, second] = names as [string[], string[]];
      expect(first.length).toBeGreaterThan(0);
      expect(first.filter((name) => second.includes(name))).toEqual([]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
