import { Stack } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { IngestConfig, LateObjects } from '../../config';
import { Appending } from '../appending';
import { Backfill } from '../backfill';
import { VisualLayerCredentials } from '../credentials';
import { DEPLOYMENT_NAME_CONTEXT } from '../deployment-name';
import { InFlightGate } from '../in-flight-gate';
import { IngestBucket } from '../ingest-bucket';
import { IngestMonitoring } from '../monitoring/ingest-monitoring';
import { ObjectLedger } from '../object-ledger';
import { PipelineKey } from '../pipeline-key';
import { Reconciler } from '../reconciler';
import { RecordsTable } from '../records-table';
import { MarkerTrigger } from '../triggers/marker-trigger';
import { QuietTrigger } from '../triggers/quiet-trigger';
import { VisualLayerReadRole } from '../visual-layer-read-role';
import { IngestWorkflow } from '../workflow/ingest-workflow';
import { AnnouncingPipeline } from './announcements';
import { folderFunctions, visualLayerPlacement } from './folder-functions';
import type { VisualLayerIngestionProps } from './props';
import { settingGroups } from './setting-groups';
import { ingestionSettings } from './validate';

/**
 * The vl-ingest pipeline as one construct: folders dropped into a bucket become Visual Layer datasets,
 * each recorded in DynamoDB and announced on the default event bus (docs/how-it-works.md). Add it to
 * the stack that owns your bucket; the app of this repository is one such stack.
 */
export class VisualLayerIngestion extends AnnouncingPipeline {
  /** The deployment's name: dashboard, alarms, metrics' `service`. */
  readonly name: string;
  /** The validated settings, defaults filled in. */
  readonly settings: Readonly<Omit<IngestConfig, 'stackName'>>;
  protected readonly lateObjects: LateObjects;
  /** The watched bucket: yours, or the one it created. */
  readonly bucket: IBucket;
  /** The state machine that ingests a folder (and runs its append batches). */
  readonly stateMachine: IStateMachine;
  /** One record per folder, keyed by its `s3://` URI (docs/record.md). */
  readonly recordsTable: ITable;
  /** Which object of a folder is in which dataset. */
  readonly ledgerTable: ITable;
  /** Object events that could not be delivered or processed: alarmed, replayed by hand. */
  readonly deadLetterQueue: IQueue;
  /** The queue of object events (quiet trigger); replay dead letters into it. */
  readonly objectQueue?: IQueue;
  /** The read-only role Visual Layer assumes to read the bucket (`visualLayerAccess=role`). */
  readonly readRole?: IRole;
  /** The secret holding the Visual Layer credentials. */
  readonly credentials: ISecret;
  /** What the functions pass to `GetSecretValue` for it. */
  readonly credentialsSecretId: string;
  /** The topic every alarm notifies: yours, or the one it created. */
  readonly alarmTopic: ITopic;
  /** The CloudWatch dashboard, and its address in the console. */
  readonly dashboard: Dashboard;
  readonly dashboardUrl: string;
  /** Where append batches put their manifests (`lateObjects=append`); the read role covers it. */
  readonly manifestsBucket?: IBucket;
  /** The key that encrypts the log groups (and a new alarm topic). */
  readonly encryptionKey: IKey;
  /** The gate's table: slots held and executions waiting (`maxConcurrentDatasets` > 0). */
  readonly gateTable?: ITable;
  /** The backfill: ingests what is already in the bucket (input `{}` or `{"prefix": "…"}`). */
  readonly backfillStateMachine: IStateMachine;
  /** Every function of the pipeline. */
  readonly functions: IFunction[];

  constructor(scope: Construct, id: string, props: VisualLayerIngestionProps = {}) {
    super(scope, id);
    const namesTaken = Stack.of(this)
      .node.findAll()
      .filter((c): c is VisualLayerIngestion => c instanceof VisualLayerIngestion && c !== this)
      .map((c) => c.name);
    const { config, name } = ingestionSettings(this, props, namesTaken);
    // Before any child: the functions and the monitoring read the deployment's name from here.
    this.node.setContext(DEPLOYMENT_NAME_CONTEXT, name);
    this.name = name;
    const { stackName: _, ...settings } = config;
    this.settings = settings;
    this.lateObjects = config.lateObjects;

    const key = new PipelineKey(this, 'Encryption').key;
    const drops = new IngestBucket(this, 'Bucket', {
      existingBucket: props.bucket,
      existingBucketName: config.bucketName,
    });
    const records = new RecordsTable(this, 'Records');
    // Both triggers keep the ledger: which object of a folder is in its dataset.
    const ledger = new ObjectLedger(this, 'Ledger');
    const readRole =
      config.visualLayerAccess === 'role'
        ? new VisualLayerReadRole(this, 'VisualLayerRead', {
            locations: [{ bucket: drops.bucket, prefix: config.prefix }],
            bucketKmsKeyArn: config.bucketKmsKeyArn ?? props.bucket?.encryptionKey?.keyArn,
            externalId: config.visualLayerExternalId,
          })
        : undefined;
    const credentials = new VisualLayerCredentials(this, 'Credentials', {
      existingSecret: props.credentials,
      existingSecretName: config.secretName,
    });

    const { folderRules, visualLayer, polling } = settingGroups(config, {
      bucketName: drops.bucket.bucketName,
      secretId: credentials.secretId,
    });
    const placement = visualLayerPlacement(this, props);
    const { planFunction, createFunction, statusFunction } = folderFunctions(this, {
      folderRules,
      visualLayer,
      polling,
      records: records.table,
      secret: credentials.secret,
      logKey: key,
      placement,
    });
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
            placement,
          })
        : undefined;
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
    const backfill = new Backfill(this, 'Backfill', {
      config,
      folderRules,
      ledger,
      records,
      drops,
      workflow,
      logKey: key,
    });

    const objectQueue = trigger instanceof QuietTrigger ? trigger.objectQueue : undefined;
    this.functions = [
      planFunction,
      createFunction,
      statusFunction,
      ...trigger.functions,
      reconciler.function,
      backfill.function,
      ...(gate ? [gate.function] : []),
      ...(appending?.functions ?? []),
    ];
    const monitoring = new IngestMonitoring(this, 'Monitoring', {
      stateMachine: workflow.stateMachine,
      deadLetterQueue: trigger.deadLetterQueue,
      objectQueue,
      functions: this.functions,
      recordsTable: records.table,
      key,
      alarmEmail: config.alarmEmail,
      alarmTopic: props.alarmTopic,
      features: { gate: gate !== undefined, appends: appending !== undefined },
    });

    this.bucket = drops.bucket;
    this.stateMachine = workflow.stateMachine;
    this.recordsTable = records.table;
    this.ledgerTable = ledger.table;
    this.deadLetterQueue = trigger.deadLetterQueue;
    this.objectQueue = objectQueue;
    this.readRole = readRole?.role;
    this.credentials = credentials.secret;
    this.credentialsSecretId = credentials.secretId;
    this.alarmTopic = monitoring.topic;
    this.dashboard = monitoring.dashboard;
    this.dashboardUrl = monitoring.dashboardUrl;
    this.manifestsBucket = appending?.manifests;
    this.encryptionKey = key;
    this.gateTable = gate?.table;
    this.backfillStateMachine = backfill.stateMachine;
  }
}
