import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { FIXES } from '../../cli/fixes';
import { GateStore } from '../../lambdas/shared/gate/gate-store';
import { dropObjects } from '../../local/drop';
import { LOCAL_CREDENTIALS, type LocalPipeline } from '../../local/pipeline';
import { type CliRun, useCliDeployment } from '../support/cli';
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
const BUCKET = 'acme-vision-drops';
const uri = (folder: string) => `s3://${BUCKET}/${folder}/`;

/** Runs bin/vl-ingest.cjs in a process of its own. */
async function runBin(argv: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'vl-ingest.cjs');
  const child = spawn(process.execPath, [bin, ...argv], { env: env as NodeJS.ProcessEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code: code ?? -1, stdout, stderr };
}

/** Uploads one object into a folder and waits until every execution has ended. */
async function ingest(p: LocalPipeline, folder: string, fail = false): Promise<void> {
  if (fail) {
    p.simulator.inject({
      method: 'POST',
      path: '/api/v1/dataset',
      status: 400,
      body: { detail: 'bucket_path s3://acme-vision-drops is not readable' },
    });
  }
  await dropObjects(p, BUCKET, [{ key: `${folder}/frame.jpg`, size: 1024 }]);
  await p.settled();
}

const json = <T>(run: CliRun): T => JSON.parse(run.stdout) as T;
/** Creates Visual Layer accepted. */
const createsOf = (p: LocalPipeline) =>
  p.simulator.calls.filter((c) => c.method === 'POST' && c.path === '/api/v1/dataset' && c.status === 200)
    .length;

describe('vl-ingest against a local deployment', () => {
  it('status: a summary with counts by status and the newest failures with the fix the docs give', async () => {
    const { pipeline: p, cli } = deployment();
    await ingest(p, 'broken', true);
    await ingest(p, 'ready');
    const text = await cli(['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('READY 1');
    expect(text.stdout).toContain('FAILED 1');
    expect(text.stdout).toContain(`FAILED  ${uri('broken')}`);
    expect(text.stdout).toContain(FIXES.BAD_REQUEST?.replace('<folder>', uri('broken')));
    const summary = json<{ counts: Record<string, number>; failures: { folderUri: string }[] }>(
      await cli(['status', '--json']),
    );
    expect(summary.counts).toMatchObject({ READY: 1, FAILED: 1, PENDING: 0 });
    expect(summary.failures.map((f) => f.folderUri)).toEqual([uri('broken')]);
  });

  it('status <folder>: the record in full, with its error and fix; exit 1 for a failed folder or none', async () => {
    const { cli } = deployment();
    const failed = await cli(['status', 'broken']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(uri('broken'));
    expect(failed.stdout).toMatch(/error\s+BAD_REQUEST: .*not readable/);
    expect(failed.stdout).toMatch(/fix\s+fix what it names/);
    const ready = await cli(['status', uri('ready'), '--json']);
    expect(ready.code).toBe(0);
    const { record, fix } = json<{ record: Record<string, unknown>; fix: string | null }>(ready);
    expect(record).toMatchObject({
      folderUri: uri('ready'),
      status: 'READY',
      datasetUrl: expect.any(String),
    });
    expect(fix).toBeNull();
    const none = await cli(['status', 'never-dropped']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no record for ${uri('never-dropped')}`);
  });

  it('list: records newest first through the byStatus index, filtered by status and age', async () => {
    const { cli } = deployment();
    const all = json<{ folderUri: string; updatedAt: string }[]>(await cli(['list', '--json']));
    expect(all.map((r) => r.folderUri).sort()).toEqual([uri('broken'), uri('ready')]);
    expect(all.map((r) => r.updatedAt)).toEqual([...all.map((r) => r.updatedAt)].sort().reverse());
    const failed = json<{ status: string }[]>(await cli(['list', '--status', 'failed,error', '--json']));
    expect(failed.map((r) => r.status)).toEqual(['FAILED']);
    const future = await cli(['list', '--since', '2999-01-01']);
    expect(future).toMatchObject({ code: 0, stdout: 'no records\n' });
    const table = await cli(['list', '--limit', '1']);
    expect(table.stdout.split('\n')[0]).toMatch(/^UPDATED\s+STATUS\s+FOLDER\s+DATASET OR ERROR$/);
    expect(table.stdout.trim().split('\n')).toHaveLength(2);
    expect((await cli(['list', '--status', 'BOGUS'])).code).toBe(2);
    expect((await cli(['list', '--since', 'last tuesday'])).code).toBe(2);
  });

  it('retry: refuses a READY folder and changes nothing', async () => {
    const { pipeline: p, cli } = deployment();
    const before = await p.record(uri('ready'));
    const executions = p.runs.all().length;
    const refused = await cli(['retry', 'ready']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is READY: its dataset exists');
    expect(await p.record(uri('ready'))).toEqual(before);
    expect(p.runs.all().length).toBe(executions);
  });

  it('retry: a FAILED folder gets its next attempt through the pipeline, keeping the last outcome', async () => {
    const { pipeline: p, cli } = deployment();
    const creates = createsOf(p);
    const started = await cli(['retry', uri('broken'), '--json']);
    expect(started.code).toBe(0);
    expect(json(started)).toMatchObject({ action: 'started', attempt: 2, previousStatus: 'FAILED' });
    const watched = await cli(['watch', 'broken', '--interval', '0.1']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/status\s+READY \(attempt 2\)/);
    await p.settled();
    expect(await p.record(uri('broken'))).toMatchObject({
      status: 'READY',
      attempts: 2,
      lastStatus: 'FAILED',
      lastError: { code: 'BAD_REQUEST' },
    });
    expect(createsOf(p)).toBe(creates + 1);
  });

  it('retry: two at once open one attempt, and the other is refused', async () => {
    const { pipeline: p, cli } = deployment();
    await ingest(p, 'twice', true);
    const executions = p.runs.all().length;
    const runs = await Promise.all([cli(['retry', 'twice']), cli(['retry', 'twice'])]);
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1]);
    expect(runs.find((r) => r.code === 1)?.stderr).toMatch(/is (PENDING|CREATING|INDEXING|READY)/);
    await p.settled();
    expect(p.runs.all().length).toBe(executions + 1);
    expect(await p.record(uri('twice'))).toMatchObject({ status: 'READY', attempts: 2 });
  });

  it('watch: draws the live view until Ctrl-C, and once with --once or --json', async () => {
    const { cli } = deployment();
    const once = await cli(['watch', '--once']);
    expect(once.code).toBe(0);
    expect(once.stdout).toContain('Recent outcomes');
    expect(once.stdout).toMatch(
      /READY\s+s3:\/\/acme-vision-drops\/twice\/\n\s+http:\/\/127\.0\.0\.1:\d+\/dataset\//,
    );
    const frame = JSON.parse((await cli(['watch', '--once', '--json'])).stdout.trim()) as { counts: object };
    expect(frame.counts).toMatchObject({ READY: 3 });
    const interrupt = new AbortController();
    let frames = 0;
    const stopped = await cli(['watch', '--interval', '60'], {
      signal: interrupt.signal,
      sleep: async () => {
        frames += 1;
        if (frames === 2) interrupt.abort();
      },
    });
    expect(stopped.code).toBe(0);
    expect(stopped.stdout.match(/^— \d{4}-/gm)).toHaveLength(2);
  });

  it('repair: lists records whose execution is gone and a slot held by one, and fixes them with --yes', async () => {
    const { pipeline: p, cli } = deployment();
    const client = p.dynamodb.client;
    if (!client) throw new Error('no DynamoDB client');
    const gone = `${p.stateMachineArn.replace(':stateMachine:', ':execution:')}:gone`;
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    const stuck = {
      status: 'INDEXING',
      attempts: 1,
      executionArn: gone,
      datasetId: 'ds-stuck',
      claimedAt: hourAgo,
    };
    await client.send(
      new PutItemCommand({
        TableName: p.tableName,
        Item: marshall({ folderUri: uri('stuck'), ...stuck, createdAt: hourAgo, updatedAt: hourAgo }),
      }),
    );
    await new GateStore(client, p.gateTableName, 10).take(gone);
    const found = await cli(['repair']);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(
      /s3:\/\/acme-vision-drops\/stuck\/\s+INDEXING\s+MISSING\s+to finish: FAILED\/EXECUTION_LOST/,
    );
    expect(found.stdout).toContain('1 slot(s) held');
    expect(await p.record(uri('stuck'))).toMatchObject({ status: 'INDEXING' });
    const fixed = await cli(['repair', '--yes', '--json']);
    expect(fixed.code).toBe(0);
    expect(json(fixed)).toMatchObject({
      fixed: {
        records: [{ folderUri: uri('stuck'), action: 'finished', code: 'EXECUTION_LOST' }],
        slotsReleased: [gone],
      },
    });
    expect(await p.record(uri('stuck'))).toMatchObject({
      status: 'FAILED',
      error: { code: 'EXECUTION_LOST' },
    });
    expect(await new GateStore(client, p.gateTableName, 10).holders()).not.toContain(gone);
    expect(await cli(['repair'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('Nothing to repair'),
    });
  });

  it("backfill: the stack's own backfill ingests what the bucket already held, and the command shows its counts", async () => {
    const { pipeline: p, cli } = deployment();
    for (const name of ['a', 'b']) {
      for (const file of ['1.jpg', '2.jpg'])
        p.s3.put(BUCKET, `before-${name}/${file}`, `bytes of ${name}/${file}`);
    }
    const done = await cli(['backfill', '--interval', '0.05']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(
      /backfill done in \d+s: 4 keys listed, 4 objects recorded, 2 folders started/,
    );
    await p.settled();
    for (const name of ['a', 'b']) {
      expect(await p.record(uri(`before-${name}`))).toMatchObject({ status: 'READY' });
    }
  });

  it('backfill: starts it, follows it across a continuation and shows its counts until done', async () => {
    const { pipeline: p, cli, addOutputs } = deployment();
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:BackfillStandIn';
    const inputs: unknown[] = [];
    const sfn = new SFNClient({
      endpoint: p.endpoints.sfn,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    p.addStandInMachine(arn, async (input) => {
      inputs.push(input);
      const { prefix, continuation } = input as { prefix?: string; continuation?: string };
      if (prefix === 'fail/')
        throw Object.assign(new Error('ListObjectsV2 was denied'), { name: 'S3.AccessDenied' });
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (continuation) return { keysListed: 1500, objectsRecorded: 1480, foldersStarted: 6 };
      const next = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: arn,
          input: JSON.stringify({ prefix, continuation: 'page-2' }),
        }),
      );
      return { keysListed: 1000, objectsRecorded: 990, foldersStarted: 4, continuedAs: next.executionArn };
    });
    addOutputs({ BackfillStateMachineArn: arn });
    const done = await cli(['backfill', '--prefix', 'in/', '--interval', '0.05']);
    expect(done.code).toBe(0);
    expect(inputs[0]).toEqual({ prefix: 'in/' });
    expect(done.stdout).toContain('backfill of s3://acme-vision-drops/in/: RUNNING');
    expect(done.stdout).toMatch(
      /backfill done in \d+s: 1,500 keys listed, 1,480 objects recorded, 6 folders started \(2 execution\(s\)\)/,
    );
    const all = json<{ status: string; executions: string[]; foldersStarted: number }>(
      await cli(['backfill', '--json', '--interval', '0.05']),
    );
    expect(inputs.at(-2)).toEqual({});
    expect(all).toMatchObject({ status: 'SUCCEEDED', foldersStarted: 6 });
    expect(all.executions).toHaveLength(2);
    const failed = await cli(['backfill', '--prefix', 'fail/', '--interval', '0.05']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('backfill FAILED');
    expect(failed.stdout).toContain('S3.AccessDenied: ListObjectsV2 was denied');
  });

  it('status and watch draw datasets in flight with their progress and the folders waiting for a slot; retry refuses a stale one', async () => {
    const { pipeline: p, cli } = deployment();
    const client = p.dynamodb.client;
    if (!client) throw new Error('no DynamoDB client');
    const now = new Date().toISOString();
    const running = `${p.stateMachineArn.replace(':stateMachine:', ':execution:')}:indexing`;
    await client.send(
      new PutItemCommand({
        TableName: p.tableName,
        Item: marshall({
          folderUri: uri('indexing'),
          status: 'INDEXING',
          progress: 40,
          vlStatus: 'INDEXING',
          executionArn: running,
          claimedAt: now,
          updatedAt: now,
        }),
      }),
    );
    const waiter = {
      executionArn: `${running}-waiting`,
      token: 'task-token-that-resumes-an-execution',
      folderUri: uri('waiting'),
      lane: 'live' as const,
      parkedAt: now,
    };
    await new GateStore(client, p.gateTableName, 10).addWaiter(waiter);
    const text = await cli(['status']);
    expect(text.stdout).toMatch(
      /INDEXING\s+\[████████░░░░░░░░░░░░\] {2}40%\s+s3:\/\/acme-vision-drops\/indexing\//,
    );
    expect(text.stdout).toMatch(
      /Waiting for a slot \(1\)\n.*\n\s+1\s+s3:\/\/acme-vision-drops\/waiting\/\s+live/,
    );
    const frame = await cli(['watch', '--once', '--json']);
    const overview = JSON.parse(frame.stdout) as {
      inFlight: { folderUri: string; progress: number }[];
      gate: object;
    };
    expect(overview.inFlight).toEqual([
      expect.objectContaining({ folderUri: uri('indexing'), progress: 40 }),
    ]);
    expect(overview.gate).toMatchObject({
      slots: 10,
      waiting: [{ folderUri: uri('waiting'), lane: 'live' }],
    });
    expect(frame.stdout).not.toContain(waiter.token);
    const stale = await cli(['retry', 'indexing']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(
      `is INDEXING but its execution ${running} has ended without recording the outcome`,
    );
  });

  it("a folder's generations and its append in flight are shown when the record has them", async () => {
    const { pipeline: p, cli } = deployment();
    const client = p.dynamodb.client;
    if (!client) throw new Error('no DynamoDB client');
    const now = new Date().toISOString();
    await client.send(
      new PutItemCommand({
        TableName: p.tableName,
        Item: marshall({
          folderUri: uri('living'),
          status: 'READY',
          datasetId: 'ds-living',
          updatedAt: now,
          generation: 3,
          append: { generation: 3, status: 'SENDING', count: 12, startedAt: now },
          appends: [
            {
              generation: 2,
              status: 'FAILED',
              count: 5,
              startedAt: now,
              error: { code: 'FORBIDDEN', message: 'plan limit' },
            },
          ],
        }),
      }),
    );
    const folder = await cli(['status', 'living']);
    expect(folder.code).toBe(0);
    expect(folder.stdout).toMatch(/generations\s+3 \(1 = the create\)/);
    expect(folder.stdout).toMatch(/\n\s+2\s+FAILED\s+5\s+\S+ ago\s+FORBIDDEN: plan limit/);
    expect(folder.stdout).toMatch(/\n\s+3\s+SENDING\s+12\s/);
    const summary = await cli(['status']);
    expect(summary.stdout).toMatch(
      /Appends \(1\)\n.*\n\s+s3:\/\/acme-vision-drops\/living\/\s+generation 3\s+SENDING\s+12 object\(s\)/,
    );
    // A folder that only had its create: generation 1, and no batch lines under it.
    const ready = (await cli(['status', 'ready'])).stdout;
    expect(ready).toMatch(/generations\s+1 \(1 = the create\)\n$/);
    expect(ready).not.toMatch(/SENDING|DONE|FAILED/);
  });

  it('the installed bin runs the same command: a real process, its exit status and JSON', async () => {
    const { outputsFile, env } = deployment();
    const run = await runBin(['--outputs-file', outputsFile, 'status', 'ready', '--json'], env);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ record: { folderUri: uri('ready'), status: 'READY' } });
  });

  it('the installed bin loads the local runtime for vl-ingest local (an import() outside the tests)', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'vl-ingest-empty-'));
    try {
      const run = await runBin(['local', empty], deployment().env);
      expect(run.stderr).not.toContain('Cannot find module');
      expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('holds no image or video') });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
