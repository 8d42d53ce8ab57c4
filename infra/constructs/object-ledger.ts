import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { LEDGER_KEYS } from '../../lambdas/shared/ledger/pending';
import { TABLE_DEFAULTS } from './table-defaults';

/**
 * The object ledger: which object is in which dataset. One small item per distinct object of a folder
 * (`folderUri`, `objectKey`), written with conditional writes, so duplicate and redelivered events never
 * count twice; the settle step counts a folder's objects and finds its newest one here. An object not
 * yet sent to Visual Layer carries `pendingFolder` and is listed by the sparse `pendingByFolder` index;
 * a sent one carries its batch's `generation`. It is membership, not a cache: no TTL, and the table is
 * retained when the stack is deleted.
 */
export class ObjectLedger extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: LEDGER_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: LEDGER_KEYS.sortKey, type: AttributeType.STRING },
      ...TABLE_DEFAULTS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: LEDGER_KEYS.pendingIndex,
      partitionKey: { name: LEDGER_KEYS.pendingAttribute, type: AttributeType.STRING },
      sortKey: { name: LEDGER_KEYS.sortKey, type: AttributeType.STRING },
      // addedAt tells the keys S3 created after the folder's create from the others, from the index alone.
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [LEDGER_KEYS.addedAttribute],
    });
  }

  /** The pending index's ARN, for grants that read only it. */
  get pendingIndexArn(): string {
    return `${this.table.tableArn}/index/${LEDGER_KEYS.pendingIndex}`;
  }
}
