import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mintJwt, PLACEHOLDER_API_KEY } from '../../lambdas/shared/visual-layer/credentials';
import { dropObjects } from '../../local/drop';
import { LOCAL_CREDENTIALS } from '../../local/pipeline';
import { type CliRun, runCli, useCliDeployment } from '../support/cli';
import { useSynthesizedApp } from '../support/synth';

const app = useSynthesizedApp({
  quietSeconds: '1',
  pollIntervalSeconds: '1',
  maxPollIntervalSeconds: '2',
  maxWaitMinutes: '10',
});
const deployment = useCliDeployment(app, {
  waitMs: 20,
  simulator: { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS } },
});
const scratch = mkdtempSync(path.join(tmpdir(), 'vl-ingest-doctor-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The mark and the text of one check's line. */
function line(run: CliRun, name: string): string {
  const found = run.stdout.split('\n').find((l) => new RegExp(`^  . ${name}\\s`).test(l));
  if (!found) throw new Error(`no line for ${name} in:\n${run.stdout}`);
  return found.trim();
}

interface DoctorJson {
  checks: { name: string; status: string; detail: string; fix?: string }[];
  failed: number;
}
const statusOf = (run: CliRun, name: string) =>
  (JSON.parse(run.stdout) as DoctorJson).checks.find((c) => c.name === name)?.status;

describe('vl-ingest doctor', () => {
  it('passes what it can check locally, and says "cannot check" (never ✓) for services with no stand-in', async () => {
    const { cli } = deployment();
    const run = await cli(['doctor']);
    expect(run.code).toBe(0);
    for (const name of ['records table', 'Visual Layer', 'secret', 'credentials', 'dead letters']) {
      expect(line(run, name), name).toMatch(/^✓/);
    }
    expect(line(run, 'credentials')).toContain('Visual Layer accepted a token made from the secret');
    for (const name of ['stack', 'state machine', 'bucket events', 'bucket region', 'rule']) {
      expect(line(run, name), name).toMatch(/^\? \S+( \S+)?\s+cannot check: /);
    }
    // The role exists but was never assumed: a caution, not a pass or a failure.
    expect(line(run, 'read role')).toMatch(
      /^! read role\s+VisualLayerReadRole\w+ exists but has never been assumed/,
    );
    expect(run.stdout).toMatch(/5 could not be checked\.\n$/);
    const checks = await cli(['doctor', '--json']);
    expect(JSON.parse(checks.stdout)).toMatchObject({ failed: 0 });
    expect(statusOf(checks, 'rule')).toBe('unknown');
  });

  it('a secret Visual Layer refuses: ✗ credentials with the fix, exit 1', async () => {
    const { pipeline: p, cli } = deployment();
    p.secrets.setSecret(
      p.secretId,
      JSON.stringify({ apiKey: LOCAL_CREDENTIALS.apiKey, apiSecret: 'not-the-secret-0123456789' }),
    );
    try {
      const run = await cli(['doctor']);
      expect(run.code).toBe(1);
      expect(line(run, 'secret')).toMatch(/^✓/);
      expect(line(run, 'credentials')).toMatch(
        /^✗ credentials\s+Visual Layer refused the credentials \(401\)/,
      );
      expect(run.stdout).toContain(`fix: put a valid API key and secret in ${p.secretId}`);
      expect(run.stdout).not.toContain('not-the-secret-0123456789');
    } finally {
      p.secrets.setSecret(p.secretId, JSON.stringify(LOCAL_CREDENTIALS));
    }
  });

  it('the placeholder the stack starts with: ✗ secret, and the credentials are not tried', async () => {
    const { pipeline: p, cli } = deployment();
    p.secrets.setSecret(
      p.secretId,
      JSON.stringify({ apiKey: PLACEHOLDER_API_KEY, apiSecret: 'REPLACE_WITH_API_SECRET' }),
    );
    try {
      const run = await cli(['doctor', '--json']);
      expect(run.code).toBe(1);
      const secret = (JSON.parse(run.stdout) as DoctorJson).checks.find((c) => c.name === 'secret');
      expect(secret).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('still holds the placeholder'),
      });
      expect(secret?.fix).toContain('aws secretsmanager put-secret-value');
      expect(statusOf(run, 'credentials')).toBe('skip');
    } finally {
      p.secrets.setSecret(p.secretId, JSON.stringify(LOCAL_CREDENTIALS));
    }
  });

  it('a missing read role and a dead letter: ✗ each, with the fix', async () => {
    const { pipeline: p, cli } = deployment();
    const roles = new Map(p.iam.roles);
    p.iam.roles.clear();
    p.undeliverable.push({ detail: 'an event the rule could not deliver' });
    try {
      const run = await cli(['doctor']);
      expect(run.code).toBe(1);
      expect(line(run, 'read role')).toMatch(/^✗ read role\s+VisualLayerReadRole\w+ does not exist/);
      expect(line(run, 'dead letters')).toMatch(/^✗ dead letters\s+1 message\(s\) in the dead-letter queue/);
      expect(run.stdout).toContain('docs/operations.md#replay-the-dead-letter-queue');
    } finally {
      for (const [name, role] of roles) p.iam.roles.set(name, role);
      p.undeliverable.length = 0;
    }
  });

  it('a ready-made token is used as is: ✓ secret with its expiry, ✓ credentials', async () => {
    const { pipeline: p, cli } = deployment();
    const jwt = await mintJwt(LOCAL_CREDENTIALS.apiKey, LOCAL_CREDENTIALS.apiSecret, new Date());
    p.secrets.setSecret(p.secretId, JSON.stringify({ jwt }));
    try {
      const run = await cli(['doctor']);
      expect(line(run, 'secret')).toMatch(/^✓ secret\s+\S+ holds a ready-made token, valid until /);
      expect(line(run, 'credentials')).toMatch(/^✓/);
      expect(run.stdout).not.toContain(jwt);
    } finally {
      p.secrets.setSecret(p.secretId, JSON.stringify(LOCAL_CREDENTIALS));
    }
  });

  it('a deployment that cannot be found: exit 2 for an unreadable outputs file, 1 for a stack it lacks', async () => {
    const { env } = deployment();
    const missing = await runCli(['--outputs-file', path.join(scratch, 'none.json'), 'doctor'], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the outputs file');
    const other = path.join(scratch, 'other.json');
    writeFileSync(other, JSON.stringify({ Elsewhere: { BucketName: 'b' } }));
    const wrong = await runCli(['--outputs-file', other, '--stack-name', 'VlIngest', 'doctor'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/✗ stack\s+outputs file \S+ has no stack VlIngest \(it has Elsewhere\)/);
  });
});

describe('secrets', () => {
  it("never appear in any verb's output, text or JSON: neither the API secret nor a token made from it", async () => {
    const { pipeline: p, cli } = deployment();
    await dropObjects(p, 'acme-vision-drops', [{ key: 'secrets/frame.jpg', size: 10 }]);
    await p.settled();
    const runs: CliRun[] = [];
    for (const argv of [
      ['doctor'],
      ['status'],
      ['status', 'secrets'],
      ['list'],
      ['watch', '--once'],
      ['retry', 'secrets'],
      ['repair'],
      ['backfill'],
    ]) {
      runs.push(await cli(argv), await cli([...argv, '--json']));
    }
    const printed = runs.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
    expect(printed).toContain('secrets/');
    expect(printed).not.toContain(LOCAL_CREDENTIALS.apiSecret);
    // Any JWT (a minted token starts eyJ): none is printed.
    expect(printed).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
  });
});

describe('vl-ingest local', () => {
  it('runs the pipeline on a folder of images on this machine and ends with its status', async () => {
    const directory = path.join(scratch, 'my frames');
    mkdirSync(path.join(directory, 'night'), { recursive: true });
    writeFileSync(path.join(directory, 'a.jpg'), 'jpeg');
    writeFileSync(path.join(directory, 'night', 'b.png'), 'png');
    writeFileSync(path.join(directory, 'notes.txt'), 'not media');
    const run = await runCli(['local', directory], { ...process.env }, { localApp: app() });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Uploading 2 object(s) into s3://acme-vision-drops/my frames/');
    expect(run.stderr).toContain('1 Visual Layer create call(s)');
    expect(run.stdout).toMatch(/^s3:\/\/acme-vision-drops\/my frames\/\n\s+status\s+READY \(attempt 1\)/);
    expect(run.stdout).toMatch(/media\s+2 image\(s\), 0 video\(s\)/);
    const empty = path.join(scratch, 'empty');
    mkdirSync(empty);
    expect(await runCli(['local', empty], { ...process.env }, { localApp: app() })).toMatchObject({
      code: 1,
    });
    expect((await runCli(['local', path.join(scratch, 'absent')], {})).code).toBe(2);
  });
});
