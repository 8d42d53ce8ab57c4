import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Choice, Condition, type IChainable, type StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { IngestConfig } from '../../config';
import type { ObjectLedger } from '../object-ledger';
import { PipelineFunction } from '../pipeline-function';
import type { EventStartPhase } from '../workflow/event-start-phase';
import { SettlePhase } from '../workflow/settle-phase';
import type { WorkflowTasks } from '../workflow/tasks';
import { ObjectTrigger, type ObjectTriggerProps } from './object-trigger';

/** Object events handed to the folding function at once, and how long to gather them. */
export const FOLD_BATCH_SIZE = 1000;
export const FOLD_BATCH_WINDOW = Duration.seconds(5);
/** Deliveries of a queued object event before it goes to the dead-letter queue. */
export const FOLD_MAX_RECEIVES = 5;
/**
 * Longest a folder may keep receiving objects before its dataset is created anyway. Objects that
 * arrive later are recorded but not added to the dataset (docs/how-it-works.md, "Late objects").
 */
export const SETTLE_CAP = Duration.hours(6);

/** Props of {@link QuietTrigger}. */
export interface QuietTriggerProps extends ObjectTriggerProps {
  readonly config: ObjectTriggerProps['config'] & Pick<IngestConfig, 'quietSeconds'>;
  readonly ledger: ObjectLedger;
  readonly recordsTable: ITable;
  /** Environment of the folder rules (prefix, depth, names) the folding function applies. */
  readonly folderRules: Record<string, string>;
  /** Key that encrypts the functions' log groups. */
  readonly logKey?: IKey;
}

/**
 * The quiet trigger: rule → encrypted SQS queue → the folding function, in batches of up to
 * {@link FOLD_BATCH_SIZE}; it records objects in the ledger, claims each folder once per attempt and
 * starts one execution per folder, which settles (waits until the folder has been quiet) and then
 * creates. Failed messages are retried {@link FOLD_MAX_RECEIVES} times, then kept in the dead-letter
 * queue.
 */
export class QuietTrigger extends ObjectTrigger {
  readonly objectQueue: Queue;
  readonly foldFunction: PipelineFunction;
  readonly settleFunction: PipelineFunction;
  readonly invokedFunctions: IFunction[];
  readonly functions: IFunction[];
  override readonly settleCap = SETTLE_CAP;

  constructor(scope: Construct, id: string, props: QuietTriggerProps) {
    super(scope, id, props);
    const { ledger } = props;
    this.settleFunction = new PipelineFunction(this, 'SettleFolder', {
      handlerFolder: 'settle-folder',
      logKey: props.logKey,
      description: 'vl-ingest: tells whether a folder has been quiet long enough to create its dataset',
      environment: {
        LEDGER_TABLE: ledger.table.tableName,
        QUIET_SECONDS: String(props.config.quietSeconds),
        SETTLE_CAP_SECONDS: String(SETTLE_CAP.toSeconds()),
      },
    });
    ledger.table.grant(this.settleFunction, 'dynamodb:Query');
    this.foldFunction = new PipelineFunction(this, 'FoldEvents', {
      handlerFolder: 'fold-events',
      logKey: props.logKey,
      description: 'vl-ingest: folds queued object events per folder and starts one execution per folder',
      environment: {
        ...props.folderRules,
        RECORDS_TABLE: props.recordsTable.tableName,
        LEDGER_TABLE: ledger.table.tableName,
      },
      timeout: Duration.seconds(60),
    });
    // Batch puts of objects; Query to recount a folder whose objects were recorded after creation.
    ledger.table.grant(this.foldFunction, 'dynamodb:BatchWriteItem', 'dynamodb:Query');
    this.foldFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [props.recordsTable.tableArn],
      }),
    );
    this.invokedFunctions = [this.settleFunction];
    this.functions = [this.settleFunction, this.foldFunction];

    const timeout = this.foldFunction.timeout ?? Duration.seconds(60);
    this.objectQueue = new Queue(this, 'ObjectEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS's advice for Lambda consumers: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: FOLD_MAX_RECEIVES },
    });
    this.rule.addTarget(new SqsQueue(this.objectQueue, this.delivery));
    this.foldFunction.addEventSource(
      new SqsEventSource(this.objectQueue, {
        batchSize: FOLD_BATCH_SIZE,
        maxBatchingWindow: FOLD_BATCH_WINDOW,
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(this.foldFunction).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        'An SQS event source has no on-failure destination; failed messages reach the dead-letter queue through ' +
        `the queue's redrive policy after ${FOLD_MAX_RECEIVES} receives.`,
    });
  }

  /** The folding function starts a claimed folder (its input has `folderUri`); an object event starts at the plan. */
  startWith(
    scope: Construct,
    tasks: WorkflowTasks,
    phases: { eventStart: EventStartPhase; create: IChainable },
  ): IChainable {
    const settle = new SettlePhase(scope, 'Settle', tasks, this.settleFunction);
    settle.next(phases.create);
    return new Choice(scope, 'HowStarted', {
      stateName: 'HowStarted',
      comment:
        'The folding function starts a claimed folder; an object event (marker trigger) starts at the plan.',
    })
      .when(Condition.isPresent('$.folderUri'), settle)
      .otherwise(phases.eventStart);
  }

  connect(stateMachine: StateMachine): void {
    this.foldFunction.addEnvironment('STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    stateMachine.grantStartExecution(this.foldFunction);
  }
}
