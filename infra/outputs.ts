/**
 * Names of the stack's outputs (`CfnOutput`): what `cdk deploy` prints and writes to `--outputs-file`,
 * what the README refers to, and how the `vl-ingest` command finds a deployment's resources. A module of
 * its own, so the command reads the names without loading the CDK.
 */
export const OUTPUTS = {
  bucket: 'BucketName',
  stateMachine: 'StateMachineArn',
  table: 'RecordsTableName',
  secret: 'CredentialsSecret',
  deadLetterQueue: 'DeadLetterQueueUrl',
  deadLetterQueueArn: 'DeadLetterQueueArn',
  readRole: 'VisualLayerReadRoleArn',
  alarmTopic: 'AlarmTopicArn',
  objectQueue: 'ObjectQueueArn',
  dashboard: 'DashboardUrl',
  manifestsBucket: 'ManifestsBucketName',
  visualLayerBaseUrl: 'VisualLayerBaseUrl',
  gateTable: 'GateTableName',
  gateSlots: 'MaxConcurrentDatasets',
  markerName: 'MarkerName',
  /** The backfill's state machine (issue 10), in stacks that have one. */
  backfillStateMachine: 'BackfillStateMachineArn',
} as const;
