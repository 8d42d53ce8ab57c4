import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/app';
import { cdkJsonContext } from '../../local/aws/cloud-assembly';

/** A CloudFormation template, as far as its graph is concerned. */
interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: unknown; DependsOn?: unknown; Condition?: unknown }>;
  Outputs?: Record<string, unknown>;
}

/** The app's deployments whose graph is pinned: together they take every branch of the composition. */
export const PINNED_DEPLOYMENTS: Record<string, Record<string, string>> = {
  defaults: {},
  'marker-existing': {
    trigger: 'marker',
    bucketName: 'acme-vision-drops',
    secretName: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl-ingest/credentials-AbCdEf',
    prefix: 'incoming/',
    folderDepth: '2',
    alarmEmail: 'ops@example.com',
    visualLayerExternalId: 'acme-external-id',
    bucketKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
    maxConcurrentDatasets: '0',
  },
  'quiet-without-role': {
    visualLayerAccess: 'none',
    lateObjects: 'ignore',
    stackName: 'VlIngestCams',
    secretName: 'vl-ingest/credentials',
    visualLayerBaseUrl: 'https://vl.example.internal',
  },
};

/** Properties kept as a digest: long documents whose every character still counts. */
const DIGESTED = ['DefinitionString', 'DashboardBody'];

/** Asset hashes change with every edit of the functions' code: the graph is not about them. */
function withoutAssetHashes(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\b[0-9a-f]{64}\b/g, '<asset-hash>');
  if (Array.isArray(value)) return value.map(withoutAssetHashes);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        DIGESTED.includes(key)
          ? `sha256:${createHash('sha256')
              .update(JSON.stringify(withoutAssetHashes(inner)))
              .digest('hex')
              .slice(0, 16)}`
          : withoutAssetHashes(inner),
      ]),
    );
  }
  return value;
}

/**
 * The graph of a template: every resource by logical id with its type, properties, dependencies and
 * condition, and every output. Metadata (construct paths, asset paths, acknowledged findings) is left
 * out, so is every asset hash; the state machine definition and the dashboard body are digests.
 */
export function resourceGraph(template: TemplateJson): Record<string, unknown> {
  const resources = Object.fromEntries(
    Object.entries(template.Resources)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, { Type, Properties, DependsOn, Condition }]) => [
        id,
        withoutAssetHashes({ Type, Properties, DependsOn, Condition }),
      ]),
  );
  return { resources, outputs: withoutAssetHashes(template.Outputs ?? {}) };
}

/**
 * The template of the app (`infra/app.ts`, cdk.json's context plus the given one) without bundling
 * the functions. No test runner in here: the capture script runs it too.
 */
export function appTemplate(context: Record<string, unknown>): TemplateJson {
  const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-graph-'));
  try {
    const app = new App({
      outdir,
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
    });
    const stack = buildApp(app);
    return app.synth().getStackByName(stack.stackName).template as TemplateJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Where the pinned graph of one deployment is kept. */
export function pinnedGraphFile(name: string): string {
  return path.resolve(__dirname, '..', 'fixtures', `resource-graph.${name}.json`);
}
