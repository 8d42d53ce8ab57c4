import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { SettingsOf } from '../../lambdas/shared/settings';
import type { IngestConfig } from '../config';
import { ManifestsBucket } from './manifests-bucket';
import type { ObjectLedger } from './object-ledger';
import { type FunctionPlacement, PipelineFunction } from './pipeline-function';

/** Longest one append step may take (the state machine gives a task 120 s). */
const STEP_TIMEOUT = Duration.seconds(100);

/** Props of {@link Appending}. */
export interface AppendingProps {
  readonly config: Pick<IngestConfig, 'trigger' | 'reindex'>;
  readonly records: ITable;
  readonly ledger: ObjectLedger;
  /** The watched bucket (the marker trigger lists its folders). */
  readonly drops: IBucket;
  /** Where the manifests bucket logs its access, when the stack has a log bucket. */
  readonly accessLogs?: IBucket;
  readonly secret: ISecret;
  readonly visualLayer: SettingsOf<'append-media'>['visualLayer'];
  readonly polling: SettingsOf<'append-media'>['polling'];
  readonly logKey?: IKey;
  /** Where the append function (it calls Visual Layer) runs. @default outside any VPC */
  readonly placement?: FunctionPlacement;
}

/**
 * What `lateObjects=append` adds: the manifests bucket; the append function, which sends a folder's
 * late objects to its dataset in batches (manifest, add_media once, the batch's record) and starts the
 * next batch; with the marker trigger, the function that lists a folder into the ledger when a newer
 * marker lands.
 */
export class Appending extends Construct {
  /** The manifests Visual Layer reads: its read role must cover this bucket. */
  readonly manifests: Bucket;
  readonly appendFunction: PipelineFunction;
  readonly listFunction?: PipelineFunction;

  constructor(scope: Construct, id: string, props: AppendingProps) {
    super(scope, id);
    const { records, ledger } = props;
    this.manifests = new ManifestsBucket(this, 'Manifests', { accessLogs: props.accessLogs }).bucket;
    const fn = new PipelineFunction(this, 'AppendMedia', {
      handler: 'append-media',
      settings: {
        visualLayer: props.visualLayer,
        polling: props.polling,
        appending: {
          recordsTable: records.tableName,
          ledgerTable: ledger.table.tableName,
          manifestsBucket: this.manifests.bucketName,
          reindex: props.config.reindex,
        },
      },
      logKey: props.logKey,
      placement: props.placement,
      description: "vl-ingest: sends a folder's late objects to its dataset, one add_media per batch",
      timeout: STEP_TIMEOUT,
    });
    props.secret.grantRead(fn);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [records.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
        resources: [ledger.table.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [ledger.pendingIndexArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [this.manifests.arnForObjects('manifests/*')],
      }),
    );
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.manifests.node.defaultChild as never)}.Arn>/manifests/*]`,
      reason:
        'Manifests are written and read by key (folder hash, dataset, generation), under manifests/ only.',
    });
    this.appendFunction = fn;
    if (props.config.trigger === 'marker') this.listFunction = this.listing(props);
  }

  /** Functions to alarm on. */
  get functions(): IFunction[] {
    return [this.appendFunction, ...(this.listFunction ? [this.listFunction] : [])];
  }

  /**
   * Lets the append function start and look up the batches' executions. A policy of its own, apart
   * from the function's: the state machine invokes the function, so the function cannot wait for it.
   */
  connect(stateMachine: StateMachine): void {
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new Policy(this, 'StartsBatches', {
      roles: this.appendFunction.role ? [this.appendFunction.role] : [],
      statements: [
        new PolicyStatement({
          actions: ['states:StartExecution'],
          resources: [stateMachine.stateMachineArn],
        }),
        new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
      ],
    });
    const machine = Stack.of(this).getLogicalId(stateMachine.node.defaultChild as never);
    Validations.of(policy).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${machine}.Name>:*]`,
      reason:
        "states:DescribeExecution on the executions of this stack's state machine only; batch executions are named at run time.",
    });
  }

  private listing(props: AppendingProps): PipelineFunction {
    const fn = new PipelineFunction(this, 'ListFolder', {
      handler: 'list-folder',
      settings: { listing: { ledgerTable: props.ledger.table.tableName } },
      logKey: props.logKey,
      description: 'vl-ingest: lists a folder into the object ledger when a newer marker lands',
      timeout: STEP_TIMEOUT,
    });
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [props.drops.bucketArn] }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [props.ledger.table.tableArn] }),
    );
    return fn;
  }
}
