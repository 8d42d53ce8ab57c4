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

    const { settings: given } = ingestion;
    const gated = ingestion.gateTable !== undefined;
    // Each output once: its name, its value (undefined: the deployment has no such thing), what it is.
    const outputs: [keyof typeof OUTPUTS, string | undefined, string][] = [
      ['bucket', ingestion.bucket.bucketName, 'Bucket watched for drops'],
      ['stateMachine', ingestion.stateMachine.stateMachineArn, 'State machine that ingests a folder'],
      ['table', ingestion.recordsTable.tableName, 'Ingestion records'],
      [
        'secret',
        ingestion.credentialsSecretId,
        'Secret holding {"apiKey","apiSecret"}: fill it after deploy',
      ],
      ['deadLetterQueue', ingestion.deadLetterQueue.queueUrl, 'Events whose execution could not be started'],
      [
        'deadLetterQueueArn',
        ingestion.deadLetterQueue.queueArn,
        'The dead-letter queue by ARN, for replaying it (docs/operations.md)',
      ],
      [
        'objectQueue',
        ingestion.objectQueue?.queueArn,
        'Queue of object events (quiet trigger): replay dead letters into it',
      ],
      [
        'manifestsBucket',
        ingestion.manifestsBucket?.bucketName,
        "Manifests of the append batches: Visual Layer's read role must cover this bucket too",
      ],
      ['alarmTopic', ingestion.alarmTopic.topicArn, 'Failure alarms notify this topic'],
      [
        'dashboard',
        ingestion.dashboardUrl,
        'CloudWatch dashboard: folders by outcome, Visual Layer, executions, queues, functions',
      ],
      // What the `vl-ingest` command needs beyond the resources: where Visual Layer is, the gate, the marker.
      [
        'visualLayerBaseUrl',
        given.visualLayerBaseUrl,
        'Visual Layer the functions call (vl-ingest doctor checks the credentials against it)',
      ],
      ['gateTable', ingestion.gateTable?.tableName, 'Datasets in flight and folders waiting for a slot'],
      [
        'gateSlots',
        gated ? String(given.maxConcurrentDatasets) : undefined,
        'Slots of the gate: maxConcurrentDatasets',
      ],
      ['markerName', given.trigger === 'marker' ? given.markerName : undefined, 'Marker object name'],
      [
        'backfillStateMachine',
        ingestion.backfillStateMachine.stateMachineArn,
        'State machine that ingests what is already in the bucket (README, "Backfill")',
      ],
      [
        'readRole',
        ingestion.readRole?.roleArn,
        'Read-only role Visual Layer assumes to read the drops: register it with Visual Layer support once',
      ],
    ];
    for (const [output, value, description] of outputs) {
      if (value !== undefined) new CfnOutput(this, OUTPUTS[output], { value, description });
    }
  }
}
