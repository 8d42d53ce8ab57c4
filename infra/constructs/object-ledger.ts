import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/**
 * The object ledger of the quiet trigger: one small item per distinct object of a folder
 * (`folderUri`, `objectKey`), written in batches of 25. Writing an object twice is harmless, so
 * duplicate and redelivered events never count twice; the settle step counts a folder's objects and
 * finds its newest one here. Entries expire after 90 days (`expiresAt`); the table is derived data
 * and is removed with the stack.
 */
export class ObjectLedger extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'folderUri', type: AttributeType.STRING },
      sortKey: { name: 'objectKey', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
