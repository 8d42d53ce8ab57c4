import { BillingMode, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';

/** What the stack's tables share: on demand, encrypted with an AWS-managed key, point-in-time recovery. */
export const TABLE_DEFAULTS = {
  billingMode: BillingMode.PAY_PER_REQUEST,
  encryption: TableEncryption.AWS_MANAGED,
  pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
} as const;
