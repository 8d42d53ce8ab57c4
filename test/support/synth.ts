import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../../infra/app';
import { cdkJsonContext, type SynthesizedApp, synthesizeApp } from '../../local/aws/cloud-assembly';

/**
 * The template of the app's stack for cdk.json's context plus the given one, synthesized in process
 * without bundling the functions: fast, for tests of resources, policies and outputs only.
 */
export function templateWithoutBundling(context: Record<string, unknown> = {}): Template {
  const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-template-'));
  try {
    const app = new App({
      outdir,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
    });
    return Template.fromStack(buildApp(app));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes the app once for a test file with the given context and removes the output afterwards.
 * The returned getter is valid inside tests.
 */
export function useSynthesizedApp(context: Record<string, unknown> = {}): () => SynthesizedApp {
  let app: SynthesizedApp | undefined;
  beforeAll(() => {
    app = synthesizeApp(context);
  });
  afterAll(() => app?.dispose());
  return () => {
    if (!app) throw new Error('app not synthesized yet');
    return app;
  };
}

/** The CDK assertions view of a synthesized app. */
export function templateOf(app: SynthesizedApp): Template {
  return Template.fromJSON(app.template);
}

/**
 * A state machine definition of a template, with intrinsics left as placeholders: by default the one
 * that ingests a folder (`Workflow`); `Backfill` for the backfill's.
 */
export function definitionOf(
  app: SynthesizedApp,
  machineId: 'Workflow' | 'Backfill' = 'Workflow',
): {
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, Record<string, unknown>>;
} {
  const machine = Object.entries(app.template.Resources).find(
    ([id, r]) => r.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith(machineId),
  )?.[1];
  if (!machine) throw new Error(`no ${machineId} state machine in the template`);
  const definition = machine.Properties?.DefinitionString as { 'Fn::Join': [string, unknown[]] } | undefined;
  if (!definition) throw new Error('the state machine has no DefinitionString');
  const joined = definition['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : 'INTRINSIC'))
    .join('');
  return JSON.parse(joined);
}

/** The event pattern of the only EventBridge rule of an app on S3 events (the trigger's). */
export function rulePatternOf(app: SynthesizedApp): {
  source: string[];
  'detail-type': string[];
  detail: { bucket: { name: string[] }; object: { key: { wildcard: string }[]; size?: unknown[] } };
} {
  const rules = Object.values(app.template.Resources).filter(
    (r) =>
      r.Type === 'AWS::Events::Rule' &&
      JSON.stringify((r.Properties?.EventPattern as { source?: unknown } | undefined)?.source) ===
        '["aws.s3"]',
  );
  if (rules.length !== 1) throw new Error(`expected one rule on S3 events, found ${rules.length}`);
  return rules[0]?.Properties?.EventPattern as ReturnType<typeof rulePatternOf>;
}
