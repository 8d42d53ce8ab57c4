import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { RECORD_KEYS } from '../../lambdas/shared/record/folder-record';

/**
 * The DynamoDB table of ingestion records: one item per folder, keyed by its `s3://` URI. On demand,
 * point-in-time recovery, retained when the stack is deleted. Indexes: `byDatasetId` (datasetId) and
 * `byStatus` (status + updatedAt) for "what failed this week".
 */
export class RecordsTable extends Construct {
  /** The table. */
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: RECORD_KEYS.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: RECORD_KEYS.byDatasetIndex,
      partitionKey: { name: 'datasetId', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: RECORD_KEYS.byStatusIndex,
      partitionKey: { name: 'status', type: AttributeType.STRING },
      sortKey: { name: 'updatedAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
