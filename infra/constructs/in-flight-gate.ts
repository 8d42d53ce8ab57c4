import { Arn, ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { GATE_KEYS } from '../../lambdas/shared/gate/gate-store';
import type { SettingsOf } from '../../lambdas/shared/settings';
import { PipelineFunction } from './pipeline-function';

/** Props of {@link InFlightGate}. */
export interface InFlightGateProps {
  /** Slots: folders between "create sent" and their end at once. */
  readonly maxConcurrentDatasets: number;
  /** The poll bounds and the attempt's deadline, which bounds the wait for a slot. */
  readonly polling: SettingsOf<'gate'>['polling'];
  /** Key that encrypts the function's log group. */
  readonly logKey?: IKey;
}

/** Table actions the gate's users need: the semaphore's conditional updates and the waiting list. */
const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
];

/**
 * The gate on datasets in flight: a small DynamoDB table (the semaphore — a counter with the holders'
 * execution ARNs — and the waiting list) and the function the workflow calls to acquire a slot, park
 * on the waiting list and release. Whoever releases hands the slot to the first waiter by resuming its
 * task (`SendTaskSuccess`).
 */
export class InFlightGate extends Construct {
  readonly table: Table;
  readonly function: PipelineFunction;
  readonly settings: SettingsOf<'gate'>['gating'];

  constructor(scope: Construct, id: string, props: InFlightGateProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: GATE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: GATE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.settings = { gateTable: this.table.tableName, maxConcurrentDatasets: props.maxConcurrentDatasets };
    this.function = new PipelineFunction(this, 'Gate', {
      handler: 'gate',
      settings: { gating: this.settings, polling: props.polling },
      logKey: props.logKey,
      description: 'vl-ingest: takes, waits for and gives back a slot of the bound on datasets in flight',
    });
    this.table.grant(this.function, ...TABLE_ACTIONS);
  }

  /**
   * Lets the gate's function resume parked executions of the state machine and ask whether they run.
   * A policy of its own: the state machine invokes the function, so the function must not wait for
   * a policy that names the state machine.
   */
  connect(stateMachine: IStateMachine): void {
    const policy = new Policy(this, 'ResumeParked', { statements: resumeStatements(stateMachine) });
    if (this.function.role) policy.attachToRole(this.function.role);
    acknowledgeExecutions(policy, stateMachine);
  }

  /**
   * Gives another function (the reconciler, which may already describe executions) what releasing
   * slots and handing them on needs.
   */
  grantRelease(grantee: IGrantable, stateMachine: IStateMachine): void {
    this.table.grant(grantee, ...TABLE_ACTIONS.filter((action) => action !== 'dynamodb:PutItem'));
    const [sendTaskSuccess] = resumeStatements(stateMachine);
    if (sendTaskSuccess) grantee.grantPrincipal.addToPrincipalPolicy(sendTaskSuccess);
  }
}

/** `SendTaskSuccess` on the state machine, `DescribeExecution` on its executions. */
function resumeStatements(stateMachine: IStateMachine): PolicyStatement[] {
  const name = Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  const executions = Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return [
    new PolicyStatement({ actions: ['states:SendTaskSuccess'], resources: [stateMachine.stateMachineArn] }),
    new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [`${executions}:*`] }),
  ];
}

function acknowledgeExecutions(policy: Policy, stateMachine: IStateMachine): void {
  const machine = Stack.of(policy).resolve(stateMachine.stateMachineArn) as { Ref?: string };
  Validations.of(policy).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine.Ref}"}]}]}:*]`,
    reason:
      "states:DescribeExecution on the executions of this stack's state machine only, to tell a parked execution that is gone from one that runs; names are made at run time.",
  });
}
