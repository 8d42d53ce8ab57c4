import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/constructs/pipeline-function';
import { VISUAL_LAYER_ACCOUNT } from '../../infra/constructs/visual-layer-read-role';
import { FUNCTION_SETTINGS } from '../../lambdas/shared/settings';

type Resource = { Type: string; Properties: Record<string, unknown> };

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'existing-app');
const bin = (name: string) => path.join(REPO_ROOT, 'node_modules', name);

/**
 * Installs a packed tarball into an app's node_modules, offline. No registry is reachable here and
 * npm's cache lacks these packages, so `npm install <tarball>` cannot resolve the dependencies; this
 * does what it does for a tarball dependency, by hand: unpack `package/` into node_modules/vl-ingest,
 * and provide each dependency and peer the packed package.json declares (and nothing else) from the
 * repository's install, i.e. the lockfile's versions, plus the bin link CDK runs esbuild through. An
 * import the package does not declare fails to resolve from the app, as it would after npm install.
 */
function installOffline(tarball: string, app: string, extra: string[]): string[] {
  const target = path.join(app, 'node_modules', 'vl-ingest');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  const packed = JSON.parse(readFileSync(path.join(target, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const names = [
    ...Object.keys(packed.dependencies ?? {}),
    ...Object.keys(packed.peerDependencies ?? {}),
    ...extra,
  ];
  for (const name of names) {
    const link = path.join(app, 'node_modules', name);
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules', name), link);
  }
  mkdirSync(path.join(app, 'node_modules', '.bin'));
  symlinkSync('../esbuild/bin/esbuild', path.join(app, 'node_modules', '.bin', 'esbuild'));
  return names;
}

describe('the packed library in a fresh CDK app outside the repository', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'vl-ingest-pack-'));
  const app = path.join(scratch, 'existing-app');
  let packedFiles: string[] = [];
  let template: { Resources: Record<string, Resource> };
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(() => {
    // `npm pack` runs the prepack script: `npm run build`, the declarations and JavaScript it packs.
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--offline', '--json', '--pack-destination', scratch], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    ) as { filename: string; files: { path: string }[] }[];
    packedFiles = packed[0]?.files.map((file) => file.path) ?? [];
    mkdirSync(app);
    for (const file of ['app.ts', 'tsconfig.json', 'cdk.json', 'package.json']) {
      copyFileSync(path.join(EXAMPLE, file), path.join(app, file));
    }
    installOffline(path.join(scratch, packed[0]?.filename ?? ''), app, ['@types/node']);
    // The example typechecks against the installed declarations, then synthesizes, bundling included.
    execFileSync(process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app });
    execFileSync(process.execPath, [bin('tsx/dist/cli.mjs'), 'app.ts'], {
      cwd: app,
      env: { ...process.env, CDK_OUTDIR: path.join(app, 'cdk.out') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    template = JSON.parse(readFileSync(path.join(app, 'cdk.out', 'PhotoPipeline.template.json'), 'utf8'));
  }, 180_000);

  const resources = (type: string) =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type) as [string, Resource][];
  const appBucket = () => resources('AWS::S3::Bucket').find(([id]) => id.startsWith('Photos'))?.[0];

  it('packs the compiled library with its declarations and every handler, no tests and no lockfile', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['dist/infra/index.js', 'dist/infra/index.d.ts']));
    for (const handler of Object.keys(FUNCTION_SETTINGS)) {
      expect(packedFiles, handler).toContain(`lambdas/${handler}/handler.ts`);
    }
    expect(packedFiles.filter((file) => /\.test\.ts$|^test\/|package-lock\.json/.test(file))).toEqual([]);
  });

  it('ships no command: its bin says where the command runs, with the usage exit status', () => {
    const run = spawnSync(
      process.execPath,
      [path.join(app, 'node_modules', 'vl-ingest', 'bin', 'vl-ingest.cjs')],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('the vl-ingest command runs from a clone of the vl-ingest repository');
  });

  it("bundles every function from the installed package's handler sources", () => {
    const functions = resources('AWS::Lambda::Function').filter(([id]) => id.startsWith('Ingestion'));
    const installed = path.join(app, 'node_modules', 'vl-ingest', 'lambdas');
    const bundled = functions.map(([id, fn]) => {
      const key = (fn.Properties.Code as { S3Key?: string }).S3Key ?? '';
      const asset = path.join(app, 'cdk.out', `asset.${key.replace(/\.zip$/, '')}`);
      expect(existsSync(path.join(asset, 'index.js')), id).toBe(true);
      const map = JSON.parse(readFileSync(path.join(asset, 'index.js.map'), 'utf8')) as { sources: string[] };
      const sources = map.sources.map((source) => path.resolve(asset, source));
      expect(
        sources.filter((source) => source.startsWith(path.join(REPO_ROOT, 'lambdas'))),
        id,
      ).toEqual([]);
      const entries = sources.filter((s) => s.startsWith(installed) && s.endsWith(`${path.sep}handler.ts`));
      expect(entries, id).toHaveLength(1);
      return path.basename(path.dirname(entries[0] ?? ''));
    });
    // The example's settings: quiet trigger, appends and the gate; the marker trigger's listing aside.
    const expected = Object.keys(FUNCTION_SETTINGS).filter((handler) => handler !== 'list-folder');
    expect(bundled.sort()).toEqual(expected.sort());
  });

  it("watches the app's own bucket under the example's prefix", () => {
    const rules = resources('AWS::Events::Rule').map(
      ([, r]) => r.Properties.EventPattern as { source?: string[]; detail?: unknown } | undefined,
    );
    const s3 = rules.filter((pattern) => pattern?.source?.includes('aws.s3'));
    expect(s3).toHaveLength(1);
    expect(s3[0]?.detail).toMatchObject({
      bucket: { name: [{ Ref: appBucket() }] },
      object: { key: [{ wildcard: 'drops/*/*' }] },
    });
  });

  it("lets Visual Layer's account read that bucket's prefix through the read role", () => {
    const [readRole] = resources('AWS::IAM::Role').filter(([, role]) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes(`:iam::${VISUAL_LAYER_ACCOUNT}:root`),
    );
    expect(readRole).toBeDefined();
    const grants = resources('AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: readRole?.[0] }]))
      .map(([, p]) => JSON.stringify(p.Properties.PolicyDocument));
    expect(grants.join()).toContain(`{"Fn::GetAtt":["${appBucket()}","Arn"]},"/drops/*"`);
  });

  it("hands the Visual Layer functions the app's own secret", () => {
    const secret = resources('AWS::SecretsManager::Secret').map(([id]) => id);
    expect(secret).toEqual([expect.stringMatching(/^VisualLayerCredentials/)]);
    const create = resources('AWS::Lambda::Function').find(([id]) => id.startsWith('IngestionCreateDataset'));
    expect(create?.[1].Properties.Environment).toMatchObject({
      Variables: { VL_SECRET_ID: { Ref: secret[0] } },
    });
  });
});
