import { Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';

/**
 * What feeding folders through the claims needs (the folding function, the backfill): conditional
 * writes of objects to the ledger and its queries (what is new since a failure, recounts), the
 * record's claim writes, and starting and describing the executions of the state machine that
 * ingests a folder ("already exists" is not "running").
 */
export function grantFolderClaims(
  fn: IFunction,
  tables: { ledger: ITable; records: ITable },
  stateMachine: StateMachine,
): void {
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:UpdateItem', 'dynamodb:Query'],
      resources: [tables.ledger.tableArn],
    }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [tables.records.tableArn],
    }),
  );
  stateMachine.grantStartExecution(fn);
  stateMachine.grantExecution(fn, 'states:DescribeExecution');
  const machine = Stack.of(fn).getLogicalId(stateMachine.node.defaultChild as CfnStateMachine);
  Validations.of(fn.role ?? fn).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine}"}]}]}:*]`,
    reason:
      "DescribeExecution of the ingest state machine's own executions, whose names the claims derive from folder and claim token.",
  });
}
