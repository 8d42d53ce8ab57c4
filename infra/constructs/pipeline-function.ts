import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type CfnLogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambdas/shared/metric-names';
import { type HandlerName, type SettingsOf, writeSettings } from '../../lambdas/shared/settings';
import { deploymentName } from './deployment-name';

/** The nearest folder at or above `from` that holds a package.json. */
function packageRoot(from: string): string {
  const parent = path.dirname(from);
  if (existsSync(path.join(from, 'package.json')) || parent === from) return from;
  return packageRoot(parent);
}

/**
 * The root of the vl-ingest package: the repository, or the installed package (where this file is
 * compiled to `dist/infra/constructs/`). Handlers live in `lambdas/<name>/handler.ts` below it: the
 * package ships their TypeScript, and they are bundled at synth wherever it is installed.
 */
export const PACKAGE_ROOT = packageRoot(__dirname);
/** In the repository (tests, scripts, the local runtime), the package root is the repository's. */
export const REPO_ROOT = PACKAGE_ROOT;

/**
 * The lockfile esbuild is run beside. An installed package has none (npm never packs it): its
 * package.json stands in, as only the file's name matters there (npm, not yarn or pnpm).
 */
const DEPS_FILE = ['package-lock.json', 'package.json']
  .map((file) => path.join(PACKAGE_ROOT, file))
  .find((file) => existsSync(file));

/**
 * Environment every function gets for Node.js and Powertools (not read by the handlers' code).
 * `POWERTOOLS_SERVICE_NAME` is the deployment's name (the stack's, see deployment-name.ts): the
 * `service` dimension of the functions' metrics and the service of their traces, so each
 * deployment's dashboard shows its own functions only.
 */
export function houseEnvironment(name: string): Record<string, string> {
  return {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: name,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

/** The variables of {@link houseEnvironment}: set by the stack for the runtime and Powertools, not settings. */
export const HOUSE_VARIABLES: readonly string[] = Object.keys(houseEnvironment('any'));

/** Where a function that calls a self-hosted Visual Layer runs: subnets of a VPC. */
export interface FunctionPlacement {
  readonly vpc: IVpc;
  /** @default the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  readonly securityGroups: ISecurityGroup[];
}

/** What Lambda needs to attach a function to a VPC (the actions of AWSLambdaVPCAccessExecutionRole). */
const vpcAccess = () =>
  new PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });

interface CommonProps {
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Function timeout. @default 30 seconds */
  readonly timeout?: Duration;
  /** Key that encrypts the function's log group. @default CloudWatch Logs' own encryption */
  readonly logKey?: IKey;
  /**
   * For a function that is invoked asynchronously: why its failed invocations need no dead-letter
   * queue. @default it is only invoked synchronously (Step Functions, an SQS event source)
   */
  readonly asyncFailuresReason?: string;
  /** Run in a VPC. @default outside any VPC */
  readonly placement?: FunctionPlacement;
}

/**
 * Props of {@link PipelineFunction}: the folder under `lambdas/` that holds `handler.ts`, and the
 * settings that function reads (written to its environment by the settings module).
 */
export type PipelineFunctionProps = {
  [H in HandlerName]: CommonProps & { readonly handler: H; readonly settings: SettingsOf<H> };
}[HandlerName];

/**
 * A Lambda function with the project's defaults: Node.js 24 on ARM64, bundled by the local esbuild
 * (AWS SDK included, so the deployed code is exactly what the lockfile pins and the tests run),
 * source maps on, X-Ray tracing, JSON logs into a log group that is kept for a month.
 */
export class PipelineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    // Its own role: write to its own log group only, instead of AWSLambdaBasicExecutionRole (any group).
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `vl-ingest ${props.handler}`,
    });
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
      encryptionKey: props.logKey,
    });
    if (props.placement) role.addToPolicy(vpcAccess());
    super(scope, id, {
      entry: path.join(PACKAGE_ROOT, 'lambdas', props.handler, 'handler.ts'),
      handler: 'handler',
      projectRoot: PACKAGE_ROOT,
      depsLockFilePath: DEPS_FILE,
      ...props.placement,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment: {
        ...houseEnvironment(deploymentName(scope)),
        ...writeSettings(props.handler, props.settings as never),
      },
      bundling: {
        format: OutputFormat.CJS,
        target: 'node24',
        minify: true,
        sourceMap: true,
        bundleAwsSDK: true,
        logLevel: LogLevel.WARNING,
      },
    });
    logGroup.grantWrite(role);
    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level permissions' +
          (props.placement ? ', nor have the network interface actions Lambda needs in a VPC.' : '.'),
      },
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(logGroup.node.defaultChild as CfnLogGroup)}.Arn>:*]`,
        reason: "Log streams of the function's own log group; their names are chosen by Lambda at run time.",
      },
    );
    Validations.of(this).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        props.asyncFailuresReason ??
        'Never invoked asynchronously: Step Functions invokes it synchronously (and records failures), ' +
          "or the SQS event source does (failed messages go to the queue's dead-letter queue).",
    });
  }
}
