import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAccessDenied, isUnavailable } from '../../cli/aws';
import { parseSince } from '../../cli/commands/list';
import { markerEvent } from '../../cli/commands/retry';
import { FIXES, fixFor } from '../../cli/fixes';
import { progressBar } from '../../cli/format';
import { folderUriFrom, splitFolderUri } from '../../cli/record-view';
import { readObjectCreatedEvent } from '../../lambdas/shared/s3/object-event';
import { planFolder } from '../../lambdas/shared/s3/s3-key';
import { runCli } from '../support/cli';

const root = path.resolve(__dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'vl-ingest-cli-unit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// Nothing here may reach AWS: every endpoint is a closed loopback port.
const offline = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' };

/** The "what to do" cells of docs/operations.md's failure codes table, by code, as plain text. */
function docsFixes(): Map<string, string> {
  const operations = readFileSync(path.join(root, 'docs', 'operations.md'), 'utf8');
  const section = operations.split(/^## /m).find((s) => s.startsWith('Failure codes\n')) ?? '';
  const fixes = new Map<string, string>();
  for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const [codes = '', , todo = ''] = row
      .split('|')
      .slice(1)
      .map((c) => c.trim());
    const plain = todo
      .replace(/\[([^\]]+)\]\(\.\.\/([^)]+)\)/g, '$1 ($2)')
      .replace(/\[([^\]]+)\]\((#[^)]+)\)/g, '$1 (docs/operations.md$2)')
      .replace(/`/g, '');
    for (const code of codes.split(',')) fixes.set(code.trim().replace(/`/g, ''), plain);
  }
  return fixes;
}

describe('the fix for a failure code', () => {
  it('is what docs/operations.md says to do, for exactly the codes it lists', () => {
    const docs = docsFixes();
    expect(Object.keys(FIXES).sort()).toEqual([...docs.keys()].sort());
    for (const [code, fix] of docs) expect(FIXES[code], code).toBe(fix);
  });

  it('names the folder, quoted for a shell when it holds spaces', () => {
    expect(fixFor('AUTH', 's3://b/Line 3/')).toContain("vl-ingest retry 's3://b/Line 3/'");
    expect(fixFor('AUTH', 's3://b/line3/')).toContain('vl-ingest retry s3://b/line3/');
    expect(fixFor('NO_SUCH_CODE', 's3://b/x/')).toBeUndefined();
  });
});

describe('arguments', () => {
  it('a folder is an s3:// URI or a folder of the stack bucket, always with its trailing slash', () => {
    expect(folderUriFrom('s3://b/a/c', 'mine')).toBe('s3://b/a/c/');
    expect(folderUriFrom('Line 3/night', 'mine')).toBe('s3://mine/Line 3/night/');
    expect(folderUriFrom('/x/', 'mine')).toBe('s3://mine/x/');
    expect(() => folderUriFrom('s3://b/', 'mine')).toThrow('names no folder');
    expect(splitFolderUri('s3://b/a/c/')).toEqual({ bucket: 'b', folderKey: 'a/c/' });
  });

  it('--since takes an age or an ISO date', () => {
    const now = new Date('2026-11-28T12:00:00Z');
    expect(parseSince('7d', now)).toBe('2026-11-21T12:00:00.000Z');
    expect(parseSince('90m', now)).toBe('2026-11-28T10:30:00.000Z');
    expect(parseSince('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow('give an age');
  });
});

describe('a marker retry', () => {
  const rules = {
    prefix: 'in/',
    folderDepth: 1,
    trigger: 'marker' as const,
    markerName: '_READY',
    datasetNamePrefix: '',
    bucketName: 'drops',
  };
  const where = { bucket: 'drops', region: 'eu-west-1', account: '111122223333' };

  it("is the folder's marker event as S3 sends it, read by the pipeline as the marker of that folder", () => {
    const event = markerEvent(where, 's3://drops/in/Line 3/', '_READY', '0055AB', new Date());
    const seen = readObjectCreatedEvent(event);
    expect(seen).toMatchObject({ bucket: 'drops', key: 'in/Line 3/_READY' });
    expect(planFolder(seen, rules)).toMatchObject({ action: 'ingest', folderUri: 's3://drops/in/Line 3/' });
  });

  it("sorts after the record's marker sequencer, and before any later write of the marker", () => {
    const previous = '0055AB12CD34EF5600';
    const { sequencer } = markerEvent(where, 's3://drops/in/x/', '_READY', previous, new Date()).detail
      .object;
    expect(sequencer > previous).toBe(true);
    expect('0055AB12CD34EF5601' > sequencer).toBe(true);
    expect(
      markerEvent(where, 's3://drops/in/x/', '_READY', undefined, new Date()).detail.object.sequencer > '',
    ).toBe(true);
  });
});

describe('output pieces', () => {
  it('a progress bar is as full as the progress', () => {
    expect(progressBar(40, 10)).toBe('[████░░░░░░]  40%');
    expect(progressBar(140, 4)).toBe('[████] 100%');
  });

  it('an AWS call that could not be made is told apart from a refusal and from an answer', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(isUnavailable(refused)).toBe(true);
    expect(isUnavailable(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 501 } }))).toBe(true);
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    expect(isUnavailable(denied)).toBe(false);
    expect(isAccessDenied(denied)).toBe(true);
    expect(isUnavailable(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }))).toBe(
      false,
    );
  });
});

describe('usage', () => {
  it('every verb explains itself with --help, exit 0', async () => {
    for (const verb of ['status', 'list', 'watch', 'retry', 'repair', 'backfill', 'doctor', 'local']) {
      const run = await runCli([verb, '--help'], offline);
      expect(run.code, verb).toBe(0);
      expect(run.stdout, verb).toMatch(new RegExp(`^Usage: vl-ingest ${verb} `));
      expect(run.stdout, verb).toContain('--json');
    }
  });

  it('misuse exits 2 and says what is wrong', async () => {
    expect(await runCli(['frobnicate'], offline)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("unknown command 'frobnicate'"),
    });
    expect(await runCli(['retry'], offline)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("missing required argument 'folder'"),
    });
    expect(await runCli(['list', '--limit', '0'], offline)).toMatchObject({ code: 2 });
    expect(await runCli(['watch', '--interval', 'soon'], offline)).toMatchObject({ code: 2 });
    expect(await runCli(['local', '.', '--quiet-seconds', '100000'], offline)).toMatchObject({ code: 2 });
  });

  it('an outputs file with several stacks needs --stack-name (2); one without the outputs of a stack is a problem (1)', async () => {
    const outputs = {
      StateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:M',
      RecordsTableName: 't',
      BucketName: 'b',
    };
    const two = path.join(scratch, 'two.json');
    writeFileSync(two, JSON.stringify({ A: outputs, B: outputs }));
    const ambiguous = await runCli(['--outputs-file', two, 'list'], offline);
    expect(ambiguous).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('holds the outputs of A, B: choose one with --stack-name'),
    });
    const partial = path.join(scratch, 'partial.json');
    writeFileSync(partial, JSON.stringify({ A: { BucketName: 'b' } }));
    const lacking = await runCli(['--outputs-file', partial, 'status'], offline);
    expect(lacking).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('lacks the outputs StateMachineArn, RecordsTableName'),
    });
  });

  it('a stack that cannot be read from CloudFormation is a problem (1), named with its region', async () => {
    const run = await runCli(['--stack-name', 'Nowhere', 'status'], offline);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot read the stack Nowhere in us-east-1');
  });
});
