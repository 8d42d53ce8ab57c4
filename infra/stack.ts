import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { IngestConfig } from './config';
import { VisualLayerCredentials } from './constructs/credentials';
import { IngestAlarms } from './constructs/ingest-alarms';
import { IngestBucket } from './constructs/ingest-bucket';
import { IngestTrigger } from './constructs/ingest-trigger';
import { IngestWorkflow } from './constructs/ingest-workflow';
import { ObjectLedger } from './constructs/object-ledger';
import { PipelineFunction } from './constructs/pipeline-function';
import { PipelineKey } from './constructs/pipeline-key';
import { RecordsTable } from './constructs/records-table';

/** Props of {@link VlIngestStack}. */
export interface VlIngestStackProps extends StackProps {
  /** Validated configuration (see `parseConfig`). */
  readonly config: IngestConfig;
}

/** Names of the stack outputs; the CLI and the README refer to them. */
export const OUTPUTS = {
  bucket: 'BucketName',
  stateMachine: 'StateMachineArn',
  table: 'RecordsTableName',
  secret: 'CredentialsSecret',
  deadLetterQueue: 'DeadLetterQueueUrl',
  alarmTopic: 'AlarmTopicArn',
  objectQueue: 'ObjectQueueArn',
} as const;

/**
 * Longest a folder may keep receiving objects before its dataset is created anyway (quiet trigger).
 * Objects that arrive later are recorded but not added to the dataset (docs/how-it-works.md,
 * "Late objects").
 */
export const SETTLE_CAP = Duration.hours(6);

/** The whole pipeline. Composition only: each concern is its own construct. */
export class VlIngestStack extends Stack {
  constructor(scope: Construct, id: string, props: VlIngestStackProps) {
    super(scope, id, props);
    const { config } = props;

    const key = new PipelineKey(this, 'Encryption').key;
    const drops = new IngestBucket(this, 'Bucket', { existingBucketName: config.bucketName });
    const records = new RecordsTable(this, 'Records');
    const credentials = new VisualLayerCredentials(this, 'Credentials', {
      existingSecretName: config.secretName,
    });

    const folderRulesEnv = {
      FOLDER_PREFIX: config.prefix,
      FOLDER_DEPTH: String(config.folderDepth),
      TRIGGER: config.trigger,
      MARKER_NAME: config.markerName,
      DATASET_NAME_PREFIX: config.datasetNamePrefix,
    };
    const visualLayerEnv = {
      VL_BASE_URL: config.visualLayerBaseUrl,
      VL_SECRET_ID: credentials.secretId,
      VL_REQUEST_TIMEOUT_MS: '20000',
    };
    const planFunction = new PipelineFunction(this, 'PlanFolder', {
      handlerFolder: 'plan-folder',
      logKey: key,
      description: 'vl-ingest: decodes an S3 object key and names its dataset folder',
      environment: folderRulesEnv,
    });
    const createFunction = new PipelineFunction(this, 'CreateDataset', {
      handlerFolder: 'create-dataset',
      logKey: key,
      description: 'vl-ingest: creates the Visual Layer dataset of a folder',
      environment: visualLayerEnv,
      timeout: Duration.seconds(90),
    });
    const statusFunction = new PipelineFunction(this, 'CheckStatus', {
      handlerFolder: 'check-status',
      logKey: key,
      description: 'vl-ingest: reads a Visual Layer dataset status and decides the next poll',
      environment: {
        ...visualLayerEnv,
        POLL_INTERVAL_SECONDS: String(config.pollIntervalSeconds),
        MAX_POLL_INTERVAL_SECONDS: String(config.maxPollIntervalSeconds),
        MAX_WAIT_MINUTES: String(config.maxWaitMinutes),
      },
      timeout: Duration.seconds(60),
    });
    credentials.secret.grantRead(createFunction);
    credentials.secret.grantRead(statusFunction);

    // The quiet trigger folds object events per folder before anything starts.
    const quiet = config.trigger === 'quiet';
    const ledger = quiet ? new ObjectLedger(this, 'Ledger') : undefined;
    const settleFunction = ledger
      ? new PipelineFunction(this, 'SettleFolder', {
          handlerFolder: 'settle-folder',
          logKey: key,
          description: 'vl-ingest: tells whether a folder has been quiet long enough to create its dataset',
          environment: {
            LEDGER_TABLE: ledger.table.tableName,
            QUIET_SECONDS: String(config.quietSeconds),
            SETTLE_CAP_SECONDS: String(SETTLE_CAP.toSeconds()),
          },
        })
      : undefined;
    if (ledger && settleFunction) ledger.table.grant(settleFunction, 'dynamodb:Query');

    const workflow = new IngestWorkflow(this, 'Workflow', {
      table: records.table,
      planFunction,
      createFunction,
      statusFunction,
      settleFunction,
      settleCap: quiet ? SETTLE_CAP : undefined,
      pollIntervalSeconds: config.pollIntervalSeconds,
      maxWaitMinutes: config.maxWaitMinutes,
      logKey: key,
    });

    let foldFunction: PipelineFunction | undefined;
    if (ledger) {
      foldFunction = new PipelineFunction(this, 'FoldEvents', {
        handlerFolder: 'fold-events',
        logKey: key,
        description: 'vl-ingest: folds queued object events per folder and starts one execution per folder',
        environment: {
          ...folderRulesEnv,
          RECORDS_TABLE: records.table.tableName,
          LEDGER_TABLE: ledger.table.tableName,
          STATE_MACHINE_ARN: workflow.stateMachine.stateMachineArn,
        },
        timeout: Duration.seconds(60),
      });
      // Batch puts of objects; Query to recount a folder whose objects were recorded after creation.
      ledger.table.grant(foldFunction, 'dynamodb:BatchWriteItem', 'dynamodb:Query');
      foldFunction.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          resources: [records.table.tableArn],
        }),
      );
      workflow.stateMachine.grantStartExecution(foldFunction);
    }
    const trigger = new IngestTrigger(this, 'Trigger', {
      bucket: drops.bucket,
      stateMachine: workflow.stateMachine,
      foldFunction,
      config,
    });

    const alarms = new IngestAlarms(this, 'Alarms', {
      stateMachine: workflow.stateMachine,
      deadLetterQueue: trigger.deadLetterQueue,
      functions: [
        planFunction,
        createFunction,
        statusFunction,
        ...(settleFunction ? [settleFunction] : []),
        ...(foldFunction ? [foldFunction] : []),
      ],
      key,
      alarmEmail: config.alarmEmail,
    });

    if (trigger.objectQueue) {
      new CfnOutput(this, OUTPUTS.objectQueue, {
        value: trigger.objectQueue.queueArn,
        description: 'Queue of object events (quiet trigger): replay dead letters into it',
      });
    }
    new CfnOutput(this, OUTPUTS.alarmTopic, {
      value: alarms.topic.topicArn,
      description: 'Failure alarms notify this topic',
    });
    new CfnOutput(this, OUTPUTS.bucket, {
      value: drops.bucket.bucketName,
      description: 'Bucket watched for drops',
    });
    new CfnOutput(this, OUTPUTS.stateMachine, {
      value: workflow.stateMachine.stateMachineArn,
      description: 'State machine that ingests a folder',
    });
    new CfnOutput(this, OUTPUTS.table, { value: records.table.tableName, description: 'Ingestion records' });
    new CfnOutput(this, OUTPUTS.secret, {
      value: credentials.secretId,
      description: 'Secret holding {"apiKey","apiSecret"}: fill it after deploy',
    });
    new CfnOutput(this, OUTPUTS.deadLetterQueue, {
      value: trigger.deadLetterQueue.queueUrl,
      description: 'Events whose execution could not be started',
    });
  }
}
