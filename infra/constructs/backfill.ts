import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, type ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { BACKFILL_KEYS } from '../../lambdas/shared/backfill/backfill-runs';
import { RECORD_KEYS } from '../../lambdas/shared/record/folder-record';
import type { SettingsOf } from '../../lambdas/shared/settings';
import type { IngestConfig } from '../config';
import { grantFolderClaims } from './claim-grants';
import type { ObjectLedger } from './object-ledger';
import { PipelineFunction } from './pipeline-function';
import { TABLE_DEFAULTS } from './table-defaults';
import { BackfillDefinition, type BackfillStepBounds, BackfillSteps } from './workflow/backfill-steps';
import { observedStateMachine } from './workflow/observed-state-machine';
import { WorkflowTasks } from './workflow/tasks';

/** Keys one backfill step lists: a full ListObjectsV2 page. */
export const BACKFILL_PAGE_SIZE = 1000;
/** The bounds of one backfill execution: 500 steps (up to half a million keys), pauses of 30 s. */
export const BACKFILL_BOUNDS: BackfillStepBounds = { stepsPerExecution: 500, pauseSeconds: 30 };
/** Slots assumed for the backfill's bound on folders in flight when there is no gate (`maxConcurrentDatasets=0`). */
const UNGATED_SLOTS = 10;

/**
 * Folders (live and backfilled) between claim and end above which the backfill pauses: twice the
 * gate's slots, so the gate always has backfilled folders to hand a freed slot to, but never so many
 * waiting that they would reach their deadline (`maxWaitMinutes`) before getting one.
 */
export function backfillFoldersInFlight(maxConcurrentDatasets: number): number {
  return 2 * (maxConcurrentDatasets > 0 ? maxConcurrentDatasets : UNGATED_SLOTS);
}

/** Props of {@link Backfill}. */
export interface BackfillProps {
  readonly config: Pick<IngestConfig, 'lateObjects' | 'maxConcurrentDatasets'>;
  /** The folder rules of the stack (bucket, prefix, depth, names): the backfill plans keys as events are. */
  readonly folderRules: SettingsOf<'backfill'>['folderRules'];
  /** The watched bucket. */
  readonly drops: { readonly bucket: IBucket };
  readonly records: { readonly table: ITable };
  readonly ledger: ObjectLedger;
  /** The workflow whose state machine ingests a folder: the backfill starts its executions. */
  readonly workflow: { readonly stateMachine: StateMachine };
  /** Key that encrypts the log groups. */
  readonly logKey?: IKey;
}

/**
 * The backfill: a second state machine (its output `BackfillStateMachineArn`) that lists what is
 * already under the prefix — a page per step, by its function — and feeds each folder through the
 * same claims as live events; a table that holds each prefix's run (one at a time) and its progress.
 * It continues as a new execution of itself before its history fills up: that StartExecution is
 * granted by a policy of its own, so the state machine's role does not name the state machine.
 */
export class Backfill extends Construct {
  readonly table: Table;
  readonly function: PipelineFunction;
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: BackfillProps) {
    super(scope, id);
    const { ledger } = props;
    const records = props.records.table;
    const ingest = props.workflow.stateMachine;
    this.table = new Table(this, 'Runs', {
      partitionKey: { name: BACKFILL_KEYS.partitionKey, type: AttributeType.STRING },
      ...TABLE_DEFAULTS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = new PipelineFunction(this, 'Backfill', {
      handler: 'backfill',
      settings: {
        folderRules: props.folderRules,
        backfilling: {
          recordsTable: records.tableName,
          ledgerTable: ledger.table.tableName,
          backfillTable: this.table.tableName,
          stateMachineArn: ingest.stateMachineArn,
          lateObjects: props.config.lateObjects,
          pageSize: BACKFILL_PAGE_SIZE,
          foldersInFlight: backfillFoldersInFlight(props.config.maxConcurrentDatasets),
          ...BACKFILL_BOUNDS,
        },
      },
      logKey: props.logKey,
      description: 'vl-ingest: lists what is already in the bucket and claims its folders like live events',
      timeout: Duration.seconds(100),
    });
    this.function = fn;
    this.grantClaims(props);
    this.stateMachine = this.machine(props.logKey);
    this.grantOwnExecutions();
  }

  /** What the function's claims need: list, the ledger, the records, the runs, the ingest executions. */
  private grantClaims(props: BackfillProps): void {
    const fn = this.function;
    const { ledger } = props;
    const records = props.records.table;
    const ingest = props.workflow.stateMachine;
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.drops.bucket.bucketArn] }),
    );
    grantFolderClaims(fn, { ledger: ledger.table, records }, ingest);
    // Counts the folders in flight (PENDING, CREATING, INDEXING).
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${records.tableArn}/index/${RECORD_KEYS.byStatusIndex}`],
      }),
    );
    this.table.grant(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  }

  private machine(logKey?: IKey): StateMachine {
    const tasks = new WorkflowTasks(this, this.table);
    const steps = new BackfillSteps(this, 'Steps', tasks, this.function);
    return observedStateMachine(this, new BackfillDefinition(steps, BACKFILL_BOUNDS), logKey);
  }

  /**
   * Policies of their own, apart from the roles' default policies, so that nothing the state machine
   * depends on names it (a CloudFormation cycle): the state machine may start executions of itself
   * (continue-as-new); the function may ask whether a run's execution still runs.
   */
  private grantOwnExecutions(): void {
    const machine = this.stateMachine;
    new Policy(this, 'ContinueAsNew', {
      roles: [machine.role],
      statements: [
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [machine.stateMachineArn] }),
      ],
    });
    const name = Arn.split(machine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${name}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const describe = new Policy(this, 'DescribeRuns', {
      statements: [new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] })],
    });
    if (this.function.role) describe.attachToRole(this.function.role);
    Validations.of(describe).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${Stack.of(this).getLogicalId(machine.node.defaultChild as CfnStateMachine)}"}]}]}:*]`,
      reason:
        "DescribeExecution of the backfill's own executions only, to tell a run whose execution has ended from one that runs.",
    });
  }
}
