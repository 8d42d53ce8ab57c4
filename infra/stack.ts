import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { IngestConfig } from './config';
import { VisualLayerIngestion } from './constructs/ingestion/visual-layer-ingestion';
import { OUTPUTS } from './outputs';

export { OUTPUTS } from './outputs';

/** Props of {@link VlIngestStack}. */
export interface VlIngestStackProps extends StackProps {
  /** Validated configuration (see `parseConfig`). */
  readonly config: IngestConfig;
}

/**
 * The app's one stack: a {@link VisualLayerIngestion} configured by the context keys, and the outputs
 * the CLI and the README refer to.
 */
export class VlIngestStack extends Stack {
  /** The pipeline. */
  readonly ingestion: VisualLayerIngestion;
  /**
   * The bucket of the append batches' manifests (`lateObjects=append`): Visual Layer reads it, so its
   * read role must cover it as well as the drop bucket.
   */
  readonly manifestsBucket?: IBucket;

  constructor(scope: Construct, id: string, props: VlIngestStackProps) {
    super(scope, id, props);
    // The stack's name is the deployment's name by default; the other keys are the construct's props.
    const { stackName: _, ...settings } = props.config;
    // CDK leaves a construct called 'Default' out of logical ids: every resource keeps the id it had
    // when this stack composed the pipeline itself, so an update replaces nothing.
    const ingestion = new VisualLayerIngestion(this, 'Default', settings);
    this.ingestion = ingestion;
    this.manifestsBucket = ingestion.manifestsBucket;

    if (ingestion.objectQueue) {
      new CfnOutput(this, OUTPUTS.objectQueue, {
        value: ingestion.objectQueue.queueArn,
        description: 'Queue of object events (quiet trigger): replay dead letters into it',
      });
    }
    if (ingestion.manifestsBucket) {
      new CfnOutput(this, OUTPUTS.manifestsBucket, {
        value: ingestion.manifestsBucket.bucketName,
        description: "Manifests of the append batches: Visual Layer's read role must cover this bucket too",
      });
    }
    new CfnOutput(this, OUTPUTS.alarmTopic, {
      value: ingestion.alarmTopic.topicArn,
      description: 'Failure alarms notify this topic',
    });
    new CfnOutput(this, OUTPUTS.dashboard, {
      value: ingestion.dashboardUrl,
      description: 'CloudWatch dashboard: folders by outcome, Visual Layer, executions, queues, functions',
    });
    new CfnOutput(this, OUTPUTS.bucket, {
      value: ingestion.bucket.bucketName,
      description: 'Bucket watched for drops',
    });
    new CfnOutput(this, OUTPUTS.stateMachine, {
      value: ingestion.stateMachine.stateMachineArn,
      description: 'State machine that ingests a folder',
    });
    new CfnOutput(this, OUTPUTS.table, {
      value: ingestion.recordsTable.tableName,
      description: 'Ingestion records',
    });
    new CfnOutput(this, OUTPUTS.secret, {
      value: ingestion.credentialsSecretId,
      description: 'Secret holding {"apiKey","apiSecret"}: fill it after deploy',
    });
    new CfnOutput(this, OUTPUTS.deadLetterQueue, {
      value: ingestion.deadLetterQueue.queueUrl,
      description: 'Events whose execution could not be started',
    });
    new CfnOutput(this, OUTPUTS.deadLetterQueueArn, {
      value: ingestion.deadLetterQueue.queueArn,
      description: 'The dead-letter queue by ARN, for replaying it (docs/operations.md)',
    });
    // What the `vl-ingest` command needs beyond the resources: where Visual Layer is, the gate, the marker.
    new CfnOutput(this, OUTPUTS.visualLayerBaseUrl, {
      value: ingestion.settings.visualLayerBaseUrl,
      description: 'Visual Layer the functions call (vl-ingest doctor checks the credentials against it)',
    });
    if (ingestion.gateTable) {
      new CfnOutput(this, OUTPUTS.gateTable, {
        value: ingestion.gateTable.tableName,
        description: 'Datasets in flight and folders waiting for a slot',
      });
      new CfnOutput(this, OUTPUTS.gateSlots, {
        value: String(ingestion.settings.maxConcurrentDatasets),
        description: 'Slots of the gate: maxConcurrentDatasets',
      });
    }
    if (ingestion.settings.trigger === 'marker') {
      new CfnOutput(this, OUTPUTS.markerName, {
        value: ingestion.settings.markerName,
        description: 'Marker object name',
      });
    }
    new CfnOutput(this, OUTPUTS.backfillStateMachine, {
      value: ingestion.backfillStateMachine.stateMachineArn,
      description: 'State machine that ingests what is already in the bucket (README, "Backfill")',
    });
    if (ingestion.readRole) {
      new CfnOutput(this, OUTPUTS.readRole, {
        value: ingestion.readRole.roleArn,
        description:
          'Read-only role Visual Layer assumes to read the drops: register it with Visual Layer support once',
      });
    }
  }
}
