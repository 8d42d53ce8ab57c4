import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/app';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function';

/** A CloudFormation template, as far as the local runtime reads it. */
export interface Template {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
  /** The stack's outputs (`CfnOutput`): their values hold intrinsics until deployed. */
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** The synthesized app: the template and where each function's bundled code is. */
export interface SynthesizedApp {
  outdir: string;
  template: Template;
  /** Function logical id → folder holding the bundled `index.js`. */
  functionAssets: Record<string, string>;
  /** Removes the output folder. */
  dispose(): void;
}

/** The `context` block of cdk.json (feature flags, and any setting kept there). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * Synthesizes the real app (the same `buildApp` that `cdk synth` runs, bundling included) into a
 * fresh temporary folder with the context of cdk.json plus the given one, exactly as
 * `cdk synth -c key=value` would (an in-process `App` does not read cdk.json by itself).
 */
export function synthesizeApp(context: Record<string, unknown> = {}): SynthesizedApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-synth-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      'aws:cdk:enable-asset-metadata': true,
      'aws:cdk:enable-path-metadata': true,
      ...context,
    },
  });
  const stack = buildApp(app);
  app.synth();
  const template = JSON.parse(
    readFileSync(path.join(outdir, `${stack.artifactId}.template.json`), 'utf8'),
  ) as Template;
  const functionAssets: Record<string, string> = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (resource.Type === 'AWS::Lambda::Function' && typeof assetPath === 'string') {
      functionAssets[id] = path.resolve(outdir, assetPath);
    }
  }
  return {
    outdir,
    template,
    functionAssets,
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}
