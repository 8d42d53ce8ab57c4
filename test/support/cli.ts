import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { CliIo, Output } from '../../cli/io';
import { run } from '../../cli/main';
import type { SynthesizedApp } from '../../local/aws/cloud-assembly';
import { LOCAL_STACK_NAME, writeOutputsFile } from '../../local/outputs';
import { LocalPipeline, type LocalPipelineOptions } from '../../local/pipeline';

/** What one run of the command printed, and its exit status. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An output that keeps what is written to it. */
export function captured(isTTY = false): Output & { text: string } {
  return {
    text: '',
    isTTY,
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

/** Runs the command in process with the given environment; `io` overrides the rest. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Partial<CliIo> = {},
): Promise<CliRun> {
  const stdout = captured();
  const stderr = captured();
  const code = await run(argv, { stdout, stderr, env, ...io });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** One local pipeline for a whole test file, with the outputs file `cdk deploy` would write for it. */
export interface CliDeployment {
  pipeline: LocalPipeline;
  /** The outputs file. */
  outputsFile: string;
  /** What a process pointed at the pipeline needs in its environment. */
  env: Record<string, string | undefined>;
  /** Runs `vl-ingest --outputs-file <file> …argv` in process. */
  cli(argv: string[], io?: Partial<CliIo>): Promise<CliRun>;
  /** Adds outputs to the outputs file (a backfill state machine, say). */
  addOutputs(outputs: Record<string, string>): void;
}

/**
 * Starts one local pipeline on the file's synthesized app before its tests (stopped after them) and
 * writes its outputs file: the command finds the deployment with `--outputs-file`, as it would a real one.
 */
export function useCliDeployment(
  app: () => SynthesizedApp,
  options: Omit<LocalPipelineOptions, 'app'> = {},
): () => CliDeployment {
  let deployment: CliDeployment | undefined;
  let scratch = '';
  beforeAll(async () => {
    const pipeline = await LocalPipeline.start({ ...options, app: app() });
    scratch = mkdtempSync(path.join(tmpdir(), 'vl-ingest-cli-'));
    const outputsFile = writeOutputsFile(pipeline, path.join(scratch, 'outputs.json'));
    const env = { ...process.env, ...pipeline.toolEnvironment() };
    deployment = {
      pipeline,
      outputsFile,
      env,
      cli: (argv, io) => runCli(['--outputs-file', outputsFile, ...argv], env, io),
      addOutputs(outputs) {
        const file = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
        file[LOCAL_STACK_NAME] = { ...file[LOCAL_STACK_NAME], ...outputs };
        writeFileSync(outputsFile, JSON.stringify(file));
      },
    };
  });
  afterAll(async () => {
    await deployment?.pipeline.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });
  return () => {
    if (!deployment) throw new Error('the deployment is not started yet');
    return deployment;
  };
}
