import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const outdir = mkdtempSync(path.join(tmpdir(), 'vl-ingest-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('cdk synth from the command line', () => {
  it('fails on invalid context with one line per problem, naming key, value and what is allowed', () => {
    const result = spawnSync(
      path.join(root, 'node_modules', '.bin', 'cdk'),
      ['synth', '--quiet', '-o', outdir, '-c', 'folderDepth=zero', '-c', 'trigger=sometimes'],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
      },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('Invalid vl-ingest configuration:');
    expect(result.stderr).toContain('folderDepth="zero" is invalid: expected a whole number from 1 to 10');
    expect(result.stderr).toContain('trigger="sometimes" is invalid: expected one of "quiet", "marker"');
    // The message is the whole story: no stack trace to wade through.
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
