import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function synth(...context: string[]) {
  return spawnSync(
    path.join(root, 'node_modules', '.bin', 'cdk'),
    ['synth', '--quiet', '-o', outdir, ...context.flatMap((c) => ['-c', c])],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
    },
  );
}

describe('cdk synth from the command line', () => {
  it('fails on invalid context with one line per problem, naming key, value and what is allowed', () => {
    const result = synth('folderDepth=zero', 'trigger=sometimes');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Invalid vl-ingest configuration:');
    expect(result.stderr).toContain('folderDepth="zero" is invalid: expected a whole number from 1 to 10');
    expect(result.stderr).toContain('trigger="sometimes" is invalid: expected one of "quiet", "marker"');
    // The message is the whole story: no stack trace to wade through.
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a look-alike key and a secret ARN without its suffix, one line each, without a stack trace', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl/creds';
    const result = synth('Trigger=marker', `secretName=${arn}`);
    expect(result.status).not.toBe(0);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toHaveLength(2);
    expect(problems).toContainEqual(
      expect.stringContaining('Trigger="marker" is not a vl-ingest setting: did you mean trigger?'),
    );
    expect(problems).toContainEqual(expect.stringContaining(`secretName="${arn}" is invalid`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
