import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { type IngestConfig, VISUAL_LAYER_REQUEST_TIMEOUT_MS } from './config';
import { Appending } from './constructs/appending';
import { Backfill } from './constructs/backfill';
import { VisualLayerCredentials } from './constructs/credentials';
import { InFlightGate } from './constructs/in-flight-gate';
import { IngestBucket } from './constructs/ingest-bucket';
import { IngestMonitoring } from './constructs/monitoring/ingest-monitoring';
import { ObjectLedger } from './constructs/object-ledger';
import { PipelineFunction } from './constructs/pipeline-function';
import { PipelineKey } from './constructs/pipeline-key';
import { Reconciler } from './constructs/reconciler';
import { RecordsTable } from './constructs/records-table';
import { MarkerTrigger } from './constructs/triggers/marker-trigger';
import { QuietTrigger } from './constructs/triggers/quiet-trigger';
import { VisualLayerReadRole } from './constructs/visual-layer-read-role';
import { IngestWorkflow } from './constructs/workflow/ingest-workflow';
import { OUTPUTS } from './outputs';

/** Props of {@link VlIngestStack}. */
export interface VlIngestStackProps extends StackProps {
  /** Validated configuration (see `parseConfig`). */
  readonly config: IngestConfig;
}

/** Names of the stack outputs (infra/outputs.ts); the CLI and the README refer to them. */
export { OUTPUTS } from './outputs';

/** The whole pipeline. Composition only: each concern is its own construct. */
export class VlIngestStack extends Stack {
  /**
   * The bucket of the append batches' manifests (`lateObjects=append`): Visual Layer reads it, so its
   * read role must cover it as well as the drop bucket.
   */
  readonly manifestsBucket?: IBucket;

  constructor(scope: Construct, id: string, props: VlIngestStackProps) {
    super(scope, id, props);
    const { config } = props;

    const key = new PipelineKey(this, 'Encryption').key;
    const drops = new IngestBucket(this, 'Bucket', { existingBucketName: config.bucketName });
    const records = new RecordsTable(this, 'Records');
    // Both triggers keep the ledger: which object of a folder is in its dataset.
    const ledger = new ObjectLedger(this, 'Ledger');
    const readRole =
      config.visualLayerAccess === 'role'
        ? new VisualLayerReadRole(this, 'VisualLayerRead', {
            locations: [{ bucket: drops.bucket, prefix: config.prefix }],
            bucketKmsKeyArn: config.bucketKmsKeyArn,
            externalId: config.visualLayerExternalId,
          })
        : undefined;
    const credentials = new VisualLayerCredentials(this, 'Credentials', {
      existingSecretName: config.secretName,
    });

    const folderRules = {
      prefix: config.prefix,
      folderDepth: config.folderDepth,
      trigger: config.trigger,
      markerName: config.markerName,
      datasetNamePrefix: config.datasetNamePrefix,
      bucketName: drops.bucket.bucketName,
    };
    const visualLayer = {
      baseUrl: config.visualLayerBaseUrl,
      secretId: credentials.secretId,
      requestTimeoutMs: VISUAL_LAYER_REQUEST_TIMEOUT_MS,
    };
    const polling = {
      minSeconds: config.pollIntervalSeconds,
      maxSeconds: config.maxPollIntervalSeconds,
      maxWaitMinutes: config.maxWaitMinutes,
    };
    const planFunction = new PipelineFunction(this, 'PlanFolder', {
      handler: 'plan-folder',
      settings: { folderRules },
      logKey: key,
      description: 'vl-ingest: decodes an S3 object key and names its dataset folder',
    });
    const createFunction = new PipelineFunction(this, 'CreateDataset', {
      handler: 'create-dataset',
      settings: { visualLayer, records: { recordsTable: records.table.tableName }, polling },
      logKey: key,
      description: 'vl-ingest: creates the Visual Layer dataset of a folder',
      timeout: Duration.seconds(90),
    });
    const statusFunction = new PipelineFunction(this, 'CheckStatus', {
      handler: 'check-status',
      settings: { visualLayer, polling },
      logKey: key,
      description: 'vl-ingest: reads a Visual Layer dataset status and decides the next poll',
      timeout: Duration.seconds(60),
    });
    credentials.secret.grantRead(createFunction);
    // A folder claimed again after its execution was lost resumes the dataset its record holds.
    createFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [records.table.tableArn] }),
    );
    credentials.secret.grantRead(statusFunction);
    const appending =
      config.lateObjects === 'append'
        ? new Appending(this, 'Appending', {
            config,
            records: records.table,
            ledger,
            drops: drops.bucket,
            accessLogs: drops.accessLogs,
            secret: credentials.secret,
            visualLayer,
            polling,
            logKey: key,
          })
        : undefined;
    this.manifestsBucket = appending?.manifests;
    // Append batches hand Visual Layer a manifest: its read access must cover that bucket too.
    if (appending) readRole?.addLocation({ bucket: appending.manifests, prefix: '' });

    // The one place the trigger is chosen: it owns its resources and hands the workflow its entry.
    const trigger =
      config.trigger === 'quiet'
        ? new QuietTrigger(this, 'Trigger', {
            bucket: drops.bucket,
            config,
            ledger,
            recordsTable: records.table,
            folderRules,
            logKey: key,
          })
        : new MarkerTrigger(this, 'Trigger', { bucket: drops.bucket, config });
    // A bound on datasets in flight (maxConcurrentDatasets; 0: none).
    const gate =
      config.maxConcurrentDatasets > 0
        ? new InFlightGate(this, 'Gate', {
            maxConcurrentDatasets: config.maxConcurrentDatasets,
            polling,
            logKey: key,
          })
        : undefined;
    const workflow = new IngestWorkflow(this, 'Workflow', {
      table: records.table,
      planFunction,
      createFunction,
      statusFunction,
      entry: trigger,
      pollIntervalSeconds: config.pollIntervalSeconds,
      maxWaitMinutes: config.maxWaitMinutes,
      logKey: key,
      gate: gate && { gateFunction: gate.function, maxConcurrentDatasets: config.maxConcurrentDatasets },
      append: appending && {
        appendFunction: appending.appendFunction,
        settleFunction: trigger instanceof QuietTrigger ? trigger.settleFunction : undefined,
        listFunction: appending.listFunction,
        endsAt: config.reindex === 'manual' ? 'PARTIAL_INDEX' : undefined,
      },
    });
    trigger.connect(workflow.stateMachine);
    gate?.connect(workflow.stateMachine);
    appending?.connect(workflow.stateMachine);
    // Ends that no Catch rule sees (a stop, the state machine's timeout, an oversized state) still end the record.
    const reconciler = new Reconciler(this, 'Reconciler', {
      table: records.table,
      stateMachine: workflow.stateMachine,
      folderRules,
      logKey: key,
      gate,
    });

    // Folders already in the bucket: listed, then claimed like live ones (README, "Backfill").
    const backfillProps = { config, folderRules, ledger, records, drops, workflow, logKey: key };
    const backfill = new Backfill(this, 'Backfill', backfillProps);

    const monitoring = new IngestMonitoring(this, 'Monitoring', {
      stateMachine: workflow.stateMachine,
      deadLetterQueue: trigger.deadLetterQueue,
      objectQueue: trigger instanceof QuietTrigger ? trigger.objectQueue : undefined,
      functions: [
        planFunction,
        createFunction,
        statusFunction,
        ...trigger.functions,
        reconciler.function,
        ...(gate ? [gate.function] : []),
        ...(appending?.functions ?? []),
        backfill.function,
      ],
      recordsTable: records.table,
      key,
      alarmEmail: config.alarmEmail,
    });

    if (trigger instanceof QuietTrigger) {
      new CfnOutput(this, OUTPUTS.objectQueue, {
        value: trigger.objectQueue.queueArn,
        description: 'Queue of object events (quiet trigger): replay dead letters into it',
      });
    }
    if (appending) {
      new CfnOutput(this, OUTPUTS.manifestsBucket, {
        value: appending.manifests.bucketName,
        description: "Manifests of the append batches: Visual Layer's read role must cover this bucket too",
      });
    }
    new CfnOutput(this, OUTPUTS.alarmTopic, {
      value: monitoring.topic.topicArn,
      description: 'Failure alarms notify this topic',
    });
    new CfnOutput(this, OUTPUTS.dashboard, {
      value: monitoring.dashboardUrl,
      description: 'CloudWatch dashboard: folders by outcome, Visual Layer, executions, queues, functions',
    });
    new CfnOutput(this, OUTPUTS.bucket, {
      value: drops.bucket.bucketName,
      description: 'Bucket watched for drops',
    });
    new CfnOutput(this, OUTPUTS.stateMachine, {
      value: workflow.stateMachine.stateMachineArn,
      description: 'State machine that ingests a folder',
    });
    new CfnOutput(this, OUTPUTS.backfillStateMachine, {
      value: backfill.stateMachine.stateMachineArn,
      description: 'State machine that ingests what is already in the bucket (README, "Backfill")',
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
    new CfnOutput(this, OUTPUTS.deadLetterQueueArn, {
      value: trigger.deadLetterQueue.queueArn,
      description: 'The dead-letter queue by ARN, for replaying it (docs/operations.md)',
    });
    if (readRole) {
      new CfnOutput(this, OUTPUTS.readRole, {
        value: readRole.role.roleArn,
        description:
          'Read-only role Visual Layer assumes to read the drops: register it with Visual Layer support once',
      });
    }
  }
}
