/** Names of the stack outputs; the CLI and the README refer to them. */
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
  backfillStateMachine: 'BackfillStateMachineArn',
} as const;
