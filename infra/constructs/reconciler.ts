import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RECORD_KEYS } from '../../lambdas/shared/record/folder-record';
import type { SettingsOf } from '../../lambdas/shared/settings';
import type { InFlightGate } from './in-flight-gate';
import { PipelineFunction } from './pipeline-function';

/** How often the sweep looks at every unfinished record. */
export const SWEEP_INTERVAL = Duration.minutes(15);
/** Execution ends no Catch rule sees; the reconciler finishes their records. */
export const RECONCILED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
/** How long EventBridge and Lambda keep trying to hand the reconciler an event. */
const EVENT_MAX_AGE = Duration.hours(1);

/** Props of {@link Reconciler}. */
export interface ReconcilerProps {
  readonly table: ITable;
  readonly stateMachine: IStateMachine;
  /** The folder rules, to find the folder of an execution started by an object event. */
  readonly folderRules: SettingsOf<'reconcile'>['folderRules'];
  /** Key that encrypts the function's log group. */
  readonly logKey?: IKey;
  /** The gate on datasets in flight, whose slots ended executions give back. @default no gate */
  readonly gate?: InFlightGate;
}

/**
 * Every execution ends with a true record, and gives back its slot of the gate: a function that
 * writes the final record (FAILED, with an `EXECUTION_*` code) of an attempt whose execution ended
 * without writing it, and releases the slot (and waiting place) of an execution that ended without
 * releasing it — run by a rule on the
 * state machine's FAILED, TIMED_OUT and ABORTED status changes, and by a sweep every
 * {@link SWEEP_INTERVAL} over the unfinished records, in case an event was missed.
 */
export class Reconciler extends Construct {
  readonly function: PipelineFunction;

  constructor(scope: Construct, id: string, props: ReconcilerProps) {
    super(scope, id);
    const { table, stateMachine } = props;
    const missed = `the sweep every ${SWEEP_INTERVAL.toMinutes()} minutes looks at every unfinished record again`;
    const fn = new PipelineFunction(this, 'Reconcile', {
      handler: 'reconcile',
      settings: {
        folderRules: props.folderRules,
        reconciling: { recordsTable: table.tableName, stateMachineArn: stateMachine.stateMachineArn },
        gating: props.gate?.settings ?? { gateTable: '', maxConcurrentDatasets: 0 },
      },
      logKey: props.logKey,
      description: 'vl-ingest: finishes the record of an execution that ended without writing it',
      timeout: Duration.minutes(5),
      asyncFailuresReason:
        `Invoked asynchronously by its two rules; a failed invocation is retried by Lambda, and ${missed}, ` +
        'so a lost event costs at most one sweep interval and needs no dead-letter queue.',
    });
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${RECORD_KEYS.byStatusIndex}`],
      }),
    );
    stateMachine.grantExecution(fn, 'states:DescribeExecution');
    props.gate?.grantRelease(fn, stateMachine);
    const target = new LambdaFunction(fn, { maxEventAge: EVENT_MAX_AGE, retryAttempts: 5 });

    const ended = new Rule(this, 'ExecutionEnded', {
      description: 'Finishes the record of a vl-ingest execution that ended without writing it',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { status: [...RECONCILED_STATUSES], stateMachineArn: [stateMachine.stateMachineArn] },
      },
      targets: [target],
    });
    const sweep = new Rule(this, 'Sweep', {
      description: 'Finishes vl-ingest records whose execution no longer runs (missed events)',
      schedule: Schedule.rate(SWEEP_INTERVAL),
      targets: [target],
    });
    for (const rule of [ended, sweep]) {
      Validations.of(rule).acknowledge({
        id: 'Serverless::Serverless-EventBusDLQ',
        reason: `An event this rule cannot deliver needs no dead-letter queue: ${missed} and finishes what it finds.`,
      });
    }
    this.acknowledgeExecutions(fn, stateMachine);
    this.function = fn;
  }

  /** DescribeExecution names executions, whose names are only known at run time. */
  private acknowledgeExecutions(fn: PipelineFunction, stateMachine: IStateMachine): void {
    const role = fn.role;
    if (!role) return;
    const machine = Stack.of(this).resolve(stateMachine.stateMachineArn) as { Ref?: string };
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${machine.Ref}"}]}]}:*]`,
      reason:
        "states:DescribeExecution on the executions of this stack's state machine only; execution names are made at run time.",
    });
  }
}
