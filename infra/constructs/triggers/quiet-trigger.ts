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
import type { SettingsOf } from '../../../lambdas/shared/settings';
import { type IngestConfig, SETTLE_CAP_SECONDS } from '../../config';
import { grantFolderClaims } from '../claim-grants';
import type { ObjectLedger } from '../object-ledger';
import { PipelineFunction } from '../pipeline-function';
import type { EntryPhases } from '../workflow/ingest-workflow';
import { SettlePhase } from '../workflow/settle-phase';
import type { WorkflowTasks } from '../workflow/tasks';
import { mediaObjectMatch } from './key-patterns';
import { ObjectTrigger, type ObjectTriggerProps } from './object-trigger';

/** Object events handed to the folding function at once, and how long to gather them. */
export const FOLD_BATCH_SIZE = 1000;
export const FOLD_BATCH_WINDOW = Duration.seconds(5);
/** Deliveries of a queued object event before it goes to the dead-letter queue. */
export const FOLD_MAX_RECEIVES = 5;
/** Longest one batch may take the folding function. */
const FOLD_TIMEOUT = Duration.seconds(60);

/** Props of {@link QuietTrigger}. */
export interface QuietTriggerProps extends ObjectTriggerProps {
  readonly config: ObjectTriggerProps['config'] & Pick<IngestConfig, 'quietSeconds' | 'lateObjects'>;
  readonly ledger: ObjectLedger;
  readonly recordsTable: ITable;
  /** The folder rules (prefix, depth, names) the folding function applies. */
  readonly folderRules: SettingsOf<'fold-events'>['folderRules'];
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
  readonly settleFunction: PipelineFunction;
  /** The folding function; it exists once the trigger is connected to its state machine. */
  foldFunction?: PipelineFunction;
  override readonly settleCap = Duration.seconds(SETTLE_CAP_SECONDS);

  constructor(
    scope: Construct,
    id: string,
    private readonly props: QuietTriggerProps,
  ) {
    super(scope, id, props.bucket, mediaObjectMatch(props.config));
    const { ledger } = props;
    this.settleFunction = new PipelineFunction(this, 'SettleFolder', {
      handler: 'settle-folder',
      settings: {
        settling: {
          ledgerTable: ledger.table.tableName,
          quietSeconds: props.config.quietSeconds,
          capSeconds: SETTLE_CAP_SECONDS,
        },
      },
      logKey: props.logKey,
      description: 'vl-ingest: tells whether a folder has been quiet long enough to create its dataset',
    });
    this.settleFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [ledger.table.tableArn] }),
    );
    this.objectQueue = new Queue(this, 'ObjectEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS's advice for Lambda consumers: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(FOLD_TIMEOUT.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: FOLD_MAX_RECEIVES },
    });
    this.rule.addTarget(new SqsQueue(this.objectQueue, this.delivery));
  }

  get functions(): IFunction[] {
    return [this.settleFunction, ...(this.foldFunction ? [this.foldFunction] : [])];
  }

  /**
   * An append batch (its input has `append`) runs the append phase; the folding function starts a
   * claimed folder (its input has `folderUri`); an object event starts at the plan.
   */
  startWith(scope: Construct, tasks: WorkflowTasks, phases: EntryPhases): IChainable {
    const settle = new SettlePhase(scope, 'Settle', tasks, this.settleFunction);
    settle.next(phases.create);
    const howStarted = new Choice(scope, 'HowStarted', {
      stateName: 'HowStarted',
      comment:
        'An append batch runs the append phase; the folding function starts a claimed folder; an object event (marker trigger) starts at the plan.',
    });
    if (phases.append) howStarted.when(Condition.isPresent('$.append'), phases.append);
    return howStarted.when(Condition.isPresent('$.folderUri'), settle).otherwise(phases.eventStart);
  }

  /** Creates the folding function, which starts the state machine, and feeds it the queue. */
  connect(stateMachine: StateMachine): void {
    const { ledger, recordsTable } = this.props;
    const fold = new PipelineFunction(this, 'FoldEvents', {
      handler: 'fold-events',
      settings: {
        folderRules: this.props.folderRules,
        folding: {
          recordsTable: recordsTable.tableName,
          ledgerTable: ledger.table.tableName,
          stateMachineArn: stateMachine.stateMachineArn,
          lateObjects: this.props.config.lateObjects,
        },
      },
      logKey: this.props.logKey,
      description: 'vl-ingest: folds queued object events per folder and starts one execution per folder',
      timeout: FOLD_TIMEOUT,
    });
    grantFolderClaims(fold, { ledger: ledger.table, records: recordsTable }, stateMachine);
    fold.addEventSource(
      new SqsEventSource(this.objectQueue, {
        batchSize: FOLD_BATCH_SIZE,
        maxBatchingWindow: FOLD_BATCH_WINDOW,
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(fold).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        'An SQS event source has no on-failure destination; failed messages reach the dead-letter queue through ' +
        `the queue's redrive policy after ${FOLD_MAX_RECEIVES} receives.`,
    });
    this.foldFunction = fold;
  }
}
