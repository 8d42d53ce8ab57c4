import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

/**
 * The Standard state machine `StateMachine` of `scope`, with the project's defaults: X-Ray tracing,
 * and every state transition logged without its data (enough to follow an execution, nothing to
 * leak) into `ExecutionLogs`, kept three months, encrypted with `logKey`.
 */
export function observedStateMachine(
  scope: Construct,
  definitionBody: DefinitionBody,
  logKey: IKey | undefined,
): StateMachine {
  const machine = new StateMachine(scope, 'StateMachine', {
    stateMachineType: StateMachineType.STANDARD,
    definitionBody,
    tracingEnabled: true,
    logs: {
      destination: new LogGroup(scope, 'ExecutionLogs', {
        retention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.DESTROY,
        encryptionKey: logKey,
      }),
      level: LogLevel.ALL,
      includeExecutionData: false,
    },
  });
  Validations.of(machine.role).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) have no resource-level permissions.',
  });
  return machine;
}
