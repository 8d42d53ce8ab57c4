import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand, ListRuleNamesByTargetCommand } from '@aws-sdk/client-eventbridge';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { GetBucketLocationCommand, GetBucketNotificationConfigurationCommand } from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand } from '@aws-sdk/client-sfn';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { OUTPUTS } from '../infra/outputs';
import { VISUAL_LAYER_ACCOUNT } from '../infra/visual-layer-account';
import { recordsInStatus } from '../lambdas/shared/record/record-query';
import { describeAwsError, isAccessDenied, isUnavailable } from './aws';
import type { RunContext } from './context';
import type { Deployment } from './deployment';

/** How a check came out: passed, failed, passed with a caution, could not be made, or does not apply. */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'unknown' | 'skip';

/** One line of `doctor`: what was checked, how it came out, and what to do about a failure. */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

/** A check of a deployment, given the run and the deployment. */
export type CheckFn = (ctx: RunContext, d: Deployment) => Promise<Check>;

/**
 * The check's outcome when its AWS call failed: `unknown` ("cannot check") when the service could not
 * be asked or refused us the call, `fail` otherwise — never a pass.
 */
export function fromAwsError(name: string, what: string, error: unknown): Check {
  if (isUnavailable(error)) {
    return {
      name,
      status: 'unknown',
      detail: `cannot check: ${what} could not be asked (${whyUnavailable(error)})`,
    };
  }
  if (isAccessDenied(error)) {
    return {
      name,
      status: 'unknown',
      detail: `cannot check: you may not call ${what} (${describeAwsError(error)})`,
    };
  }
  return { name, status: 'fail', detail: `${what} failed: ${describeAwsError(error)}` };
}

/** Why a service could not be asked, in one line. */
function whyUnavailable(error: unknown): string {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status === 501) return 'its endpoint answered 501 Not Implemented: no such service there';
  return describeAwsError(error).split('\n')[0] ?? '';
}

const COMPLETE = /_COMPLETE$/;
const BROKEN = /ROLLBACK|FAILED|DELETE/;

/** The stack exists and is in a settled, healthy state. */
export const stackCheck: CheckFn = async (ctx, d) => {
  const name = 'stack';
  let status = d.stackStatus;
  if (!status) {
    try {
      const out = await ctx.aws.cloudFormation().send(new DescribeStacksCommand({ StackName: d.stackName }));
      status = out.Stacks?.[0]?.StackStatus;
    } catch (error) {
      if (error instanceof Error && /does not exist/.test(error.message)) {
        return {
          name,
          status: 'fail',
          detail: `${d.source} names ${d.stackName}, which does not exist in ${d.region}`,
          fix: 'deploy it (npx cdk deploy), or write the outputs file again',
        };
      }
      return fromAwsError(name, `CloudFormation DescribeStacks (outputs read from the ${d.source})`, error);
    }
  }
  if (status && COMPLETE.test(status) && !BROKEN.test(status)) {
    return { name, status: 'pass', detail: `${d.stackName} is ${status} in ${d.region}` };
  }
  return {
    name,
    status: 'fail',
    detail: `${d.stackName} is ${status ?? 'in an unknown state'}`,
    fix: 'see its events in the CloudFormation console; deploy again once it has settled',
  };
};

/** The records table answers a query of its `byStatus` index. */
export const tableCheck: CheckFn = async (ctx, d) => {
  const name = 'records table';
  try {
    const pages = recordsInStatus(ctx.aws.dynamodb(), d.recordsTable, 'READY', { pageSize: 1 });
    await pages.next();
    return { name, status: 'pass', detail: `${d.recordsTable} answers queries of its byStatus index` };
  } catch (error) {
    return fromAwsError(name, `DynamoDB Query on ${d.recordsTable}`, error);
  }
};

/** The state machine exists and is active. */
export const stateMachineCheck: CheckFn = async (ctx, d) => {
  const name = 'state machine';
  try {
    const out = await ctx.aws
      .sfn()
      .send(new DescribeStateMachineCommand({ stateMachineArn: d.stateMachineArn }));
    return out.status === 'ACTIVE'
      ? { name, status: 'pass', detail: `${out.name ?? d.stateMachineArn} is ACTIVE` }
      : {
          name,
          status: 'fail',
          detail: `${d.stateMachineArn} is ${out.status}`,
          fix: 'deploy the stack again',
        };
  } catch (error) {
    return fromAwsError(name, 'Step Functions DescribeStateMachine', error);
  }
};

/** The bucket sends its events to EventBridge, and is in the stack's region. */
export const bucketEventsCheck: CheckFn = async (ctx, d) => {
  const name = 'bucket events';
  try {
    const out = await ctx.aws.s3().send(new GetBucketNotificationConfigurationCommand({ Bucket: d.bucket }));
    if (out.EventBridgeConfiguration) {
      return { name, status: 'pass', detail: `${d.bucket} sends its events to EventBridge` };
    }
    return {
      name,
      status: 'fail',
      detail: `${d.bucket} does not send its events to EventBridge: no upload reaches the pipeline`,
      fix: `aws s3api put-bucket-notification-configuration --bucket ${d.bucket} --notification-configuration '{"EventBridgeConfiguration": {}}' (it replaces the whole configuration: see README, "Using an existing bucket")`,
    };
  } catch (error) {
    return fromAwsError(name, 'S3 GetBucketNotificationConfiguration', error);
  }
};

/** The bucket is in the stack's region: S3 sends events only to EventBridge in its own region. */
export const bucketRegionCheck: CheckFn = async (ctx, d) => {
  const name = 'bucket region';
  try {
    const out = await ctx.aws.s3().send(new GetBucketLocationCommand({ Bucket: d.bucket }));
    const raw = out.LocationConstraint as string | undefined;
    const region = !raw ? 'us-east-1' : raw === 'EU' ? 'eu-west-1' : raw;
    if (region === d.region)
      return { name, status: 'pass', detail: `${d.bucket} is in ${region}, as the stack` };
    return {
      name,
      status: 'fail',
      detail: `${d.bucket} is in ${region}, the stack in ${d.region}: S3 sends events only to EventBridge in the bucket's region`,
      fix: `deploy the stack in ${region} (AWS_REGION=${region} npx cdk deploy …) and destroy this one`,
    };
  } catch (error) {
    return fromAwsError(name, 'S3 GetBucketLocation', error);
  }
};

/** A rule on the default bus delivers the bucket's events to the pipeline, and is enabled. */
export const ruleCheck: CheckFn = async (ctx, d) => {
  const name = 'rule';
  const target = d.trigger === 'quiet' ? d.outputs[OUTPUTS.objectQueue] : d.stateMachineArn;
  if (!target)
    return { name, status: 'unknown', detail: 'cannot check: the outputs name no target of the rule' };
  try {
    const events = ctx.aws.eventBridge();
    const names =
      (await events.send(new ListRuleNamesByTargetCommand({ TargetArn: target }))).RuleNames ?? [];
    const rules = await Promise.all(names.map((Name) => events.send(new DescribeRuleCommand({ Name }))));
    const onS3 = rules.filter((r) => (r.EventPattern ?? '').includes('aws.s3'));
    if (onS3.length === 0) {
      return {
        name,
        status: 'fail',
        detail: `no rule delivers S3 events to ${target}`,
        fix: 'deploy the stack again (npx cdk deploy)',
      };
    }
    const off = onS3.filter((r) => r.State !== 'ENABLED');
    if (off.length === 0)
      return { name, status: 'pass', detail: `${onS3.map((r) => r.Name).join(', ')} ENABLED` };
    return {
      name,
      status: 'fail',
      detail: `${off.map((r) => `${r.Name} is ${r.State}`).join(', ')}: uploads are not delivered`,
      fix: off.map((r) => `aws events enable-rule --name ${r.Name}`).join('; '),
    };
  } catch (error) {
    return fromAwsError(name, 'EventBridge ListRuleNamesByTarget/DescribeRule', error);
  }
};

/** Visual Layer's read role exists, trusts Visual Layer's account, and (as far as can be told) is registered. */
export const readRoleCheck: CheckFn = async (ctx, d) => {
  const name = 'read role';
  const arn = d.outputs[OUTPUTS.readRole];
  if (!arn) return { name, status: 'skip', detail: 'the stack has no read role (visualLayerAccess=none)' };
  const roleName = arn.split('/').at(-1) ?? arn;
  try {
    const role = (await ctx.aws.iam().send(new GetRoleCommand({ RoleName: roleName }))).Role;
    const trust = decodeURIComponent(role?.AssumeRolePolicyDocument ?? '');
    if (!trust.includes(VISUAL_LAYER_ACCOUNT)) {
      return {
        name,
        status: 'fail',
        detail: `${roleName} does not trust Visual Layer's account ${VISUAL_LAYER_ACCOUNT}`,
        fix: "deploy the stack again (npx cdk deploy): its trust policy is the stack's",
      };
    }
    const used = role?.RoleLastUsed?.LastUsedDate;
    if (used) {
      return {
        name,
        status: 'pass',
        detail: `${roleName} exists; Visual Layer last assumed it ${used.toISOString()}`,
      };
    }
    return {
      name,
      status: 'warn',
      detail: `${roleName} exists but has never been assumed: Visual Layer has not read with it yet`,
      fix: `if you have not registered it, send ${arn} to Visual Layer support (README, "Let Visual Layer read the bucket")`,
    };
  } catch (error) {
    if (error instanceof Error && error.name === 'NoSuchEntityException') {
      return {
        name,
        status: 'fail',
        detail: `${roleName} does not exist: Visual Layer cannot read the bucket`,
        fix: 'deploy the stack again (npx cdk deploy), then register the new role with Visual Layer support',
      };
    }
    return fromAwsError(name, 'IAM GetRole', error);
  }
};

/** The dead-letter queue is empty: every event started its folder's execution. */
export const deadLetterCheck: CheckFn = async (ctx, d) => {
  const name = 'dead letters';
  const url = d.outputs[OUTPUTS.deadLetterQueue];
  if (!url) return { name, status: 'unknown', detail: 'cannot check: the outputs name no dead-letter queue' };
  try {
    const out = await ctx.aws.sqs().send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const count =
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    if (count === 0) return { name, status: 'pass', detail: 'the dead-letter queue is empty' };
    return {
      name,
      status: 'fail',
      detail: `${count} message(s) in the dead-letter queue: events whose folder could not be started`,
      fix: `read one (aws sqs receive-message --queue-url ${url}), fix its cause, then replay them (docs/operations.md#replay-the-dead-letter-queue)`,
    };
  } catch (error) {
    return fromAwsError(name, 'SQS GetQueueAttributes', error);
  }
};
