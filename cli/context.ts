import type { Command } from 'commander';
import { AwsClients } from './aws';
import { type Deployment, findDeployment } from './deployment';
import type { ExitCode } from './exit';
import { type Colors, colorsFor, writeJson, writeLines } from './format';
import { type CliIo, sleep } from './io';

/** The options every verb takes (the AWS CLI's `--profile`/`--region`, and where the deployment is). */
export interface GlobalOptions {
  stackName?: string;
  outputsFile?: string;
  profile?: string;
  region?: string;
  /** False with `--no-color`. */
  color?: boolean;
}

/** One run of a verb: its surroundings, its options, the AWS clients and the deployment it works on. */
export class RunContext {
  readonly colors: Colors;
  readonly aws: AwsClients;
  private found?: Promise<Deployment>;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
  ) {
    this.colors = colorsFor(io, options.color !== false);
    this.aws = new AwsClients({ profile: options.profile, region: options.region, env: io.env });
  }

  /** The deployment (found once per run). */
  deployment(): Promise<Deployment> {
    this.found ??= findDeployment(this.options, this.aws, this.io.cwd ?? process.cwd());
    return this.found;
  }

  /** What the record module's readers and writers take: the clients, the table, the state machine, the clock. */
  async pipeline(): Promise<{
    dynamodb: ReturnType<AwsClients['dynamodb']>;
    sfn: ReturnType<AwsClients['sfn']>;
    recordsTable: string;
    stateMachineArn: string;
    clock: () => Date;
  }> {
    const { recordsTable, stateMachineArn } = await this.deployment();
    return {
      dynamodb: this.aws.dynamodb(),
      sfn: this.aws.sfn(),
      recordsTable,
      stateMachineArn,
      clock: () => this.now(),
    };
  }

  now(): Date {
    return this.io.now?.() ?? new Date();
  }

  /** Waits, or less when Ctrl-C ends the run. */
  sleep(ms: number): Promise<void> {
    return (this.io.sleep ?? sleep)(ms, this.io.signal);
  }

  /** Whether Ctrl-C has ended the run. */
  get interrupted(): boolean {
    return this.io.signal?.aborted === true;
  }

  print(lines: string[]): void {
    writeLines(this.io.stdout, lines);
  }

  json(value: unknown): void {
    writeJson(this.io.stdout, value);
  }
}

/** Runs a verb with a context made from its command's options, and keeps its exit code. */
export type Act = (command: Command, verb: (ctx: RunContext) => Promise<ExitCode>) => Promise<void>;
