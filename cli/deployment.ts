import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { OUTPUTS } from '../infra/outputs';
import { type AwsClients, describeAwsError } from './aws';
import { ProblemError, UsageError } from './exit';

/** The stack `cdk deploy` makes unless told `-c stackName=…`. */
export const DEFAULT_STACK_NAME = 'VlIngest';

/** A deployed pipeline, as its stack's outputs describe it. */
export interface Deployment {
  stackName: string;
  /** Where its outputs were read: the stack in CloudFormation, or an outputs file. */
  source: string;
  /** The stack's status in CloudFormation, when read from there. */
  stackStatus?: string;
  /** Region and account of its state machine. */
  region: string;
  account: string;
  outputs: Record<string, string>;
  bucket: string;
  stateMachineArn: string;
  recordsTable: string;
  /** `quiet` when the stack has an object queue, otherwise `marker`. */
  trigger: 'quiet' | 'marker';
}

/** Where to look for the deployment (`--stack-name`, `--outputs-file`). */
export interface DeploymentChoice {
  stackName?: string;
  outputsFile?: string;
}

/**
 * Finds the deployment: in the outputs file `cdk deploy --outputs-file` wrote, when given one, otherwise
 * in CloudFormation (the stack `--stack-name`, default `VlIngest`). Afterwards the clients use its
 * region unless `--region` or the environment named one.
 *
 * @throws UsageError for an outputs file that cannot be read or that names several stacks.
 * @throws ProblemError for a stack that does not exist or whose outputs are not a vl-ingest stack's.
 */
export async function findDeployment(
  choice: DeploymentChoice,
  aws: AwsClients,
  cwd: string,
): Promise<Deployment> {
  const found = choice.outputsFile
    ? { ...fromOutputsFile(path.resolve(cwd, choice.outputsFile), choice.stackName), stackStatus: undefined }
    : await fromCloudFormation(choice.stackName ?? DEFAULT_STACK_NAME, aws);
  const deployment = describe(found.stackName, found.outputs, found.source, found.stackStatus);
  aws.defaultRegion(deployment.region);
  return deployment;
}

function fromOutputsFile(
  file: string,
  stackName: string | undefined,
): { stackName: string; outputs: Record<string, string>; source: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read the outputs file ${file}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const source = `outputs file ${file}`;
  if (!isObject(parsed)) throw new UsageError(`${source} is not a JSON object of stacks and their outputs`);
  // `cdk deploy --outputs-file` writes {"<stack>": {"<output>": "<value>"}}; a bare outputs object works too.
  if (typeof parsed[OUTPUTS.stateMachine] === 'string') {
    return { stackName: stackName ?? DEFAULT_STACK_NAME, outputs: strings(parsed), source };
  }
  const stacks = Object.keys(parsed).filter((key) => isObject(parsed[key]));
  const name = stackName ?? (stacks.length === 1 ? stacks[0] : undefined);
  if (!name) {
    throw new UsageError(
      stacks.length === 0
        ? `${source} holds no stack outputs`
        : `${source} holds the outputs of ${stacks.join(', ')}: choose one with --stack-name`,
    );
  }
  const outputs = parsed[name];
  if (!isObject(outputs))
    throw new ProblemError(`${source} has no stack ${name} (it has ${stacks.join(', ')})`);
  return { stackName: name, outputs: strings(outputs), source };
}

async function fromCloudFormation(
  stackName: string,
  aws: AwsClients,
): Promise<{ stackName: string; outputs: Record<string, string>; source: string; stackStatus?: string }> {
  const where = aws.currentRegion ? ` in ${aws.currentRegion}` : '';
  let stack: Awaited<ReturnType<typeof describeStack>>;
  try {
    stack = await describeStack(stackName, aws);
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) {
      throw new ProblemError(
        `there is no stack ${stackName}${where}: deploy it (npx cdk deploy), or name the deployment with --stack-name, --region or --outputs-file`,
      );
    }
    throw new ProblemError(`cannot read the stack ${stackName}${where}: ${describeAwsError(error)}`);
  }
  const outputs = Object.fromEntries(
    (stack?.Outputs ?? []).flatMap((o) =>
      o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
    ),
  );
  return { stackName, outputs, source: `stack ${stackName}${where}`, stackStatus: stack?.StackStatus };
}

async function describeStack(stackName: string, aws: AwsClients) {
  const out = await aws.cloudFormation().send(new DescribeStacksCommand({ StackName: stackName }));
  return out.Stacks?.[0];
}

function describe(
  stackName: string,
  outputs: Record<string, string>,
  source: string,
  stackStatus: string | undefined,
): Deployment {
  const required = [OUTPUTS.stateMachine, OUTPUTS.table, OUTPUTS.bucket];
  const missing = required.filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new ProblemError(
      `${source} lacks the outputs ${missing.join(', ')}: is ${stackName} a vl-ingest stack?`,
    );
  }
  const stateMachineArn = outputs[OUTPUTS.stateMachine] as string;
  const [, , , region = '', account = ''] = stateMachineArn.split(':');
  return {
    stackName,
    source,
    ...(stackStatus ? { stackStatus } : {}),
    region,
    account,
    outputs,
    bucket: outputs[OUTPUTS.bucket] as string,
    stateMachineArn,
    recordsTable: outputs[OUTPUTS.table] as string,
    trigger: outputs[OUTPUTS.objectQueue] ? 'quiet' : 'marker',
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(outputs: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(outputs).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
  );
}

/** The gate of a deployment (its table and slots), when it has one. */
export function gateOf(deployment: Deployment): { table: string; slots: number } | undefined {
  const table = deployment.outputs[OUTPUTS.gateTable];
  if (!table) return undefined;
  const slots = Number(deployment.outputs[OUTPUTS.gateSlots]);
  return { table, slots: Number.isInteger(slots) && slots > 0 ? slots : 0 };
}
