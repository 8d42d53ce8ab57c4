import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { recordKey, writeConditionally } from '../conditional-write';
import type { RecordAttribute } from '../record/folder-record';
import type { AppendableRecord, AppendBatch } from './batch';

/** What a batch's end writes besides the batch itself. */
export type BatchEndAttributes = Partial<
  Record<
    Extract<RecordAttribute, 'appends' | 'objectCount' | 'vlStatus' | 'progress' | 'nImages' | 'nVideos'>,
    unknown
  >
>;

const READ = [
  'folderUri',
  'status',
  'datasetId',
  'generation',
  'datasetCreatedAt',
  'settledAt',
  'claimedAt',
  'append',
  'appends',
];

/**
 * The append batches' reads and writes of the folder record. The record's `append` is written whole,
 * and every write is conditional on the batch being as it was read (its token, its status, whether
 * more objects were announced), so two writers never both win, and a batch whose execution was
 * replaced can no longer change anything.
 */
export class BatchRecords {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
  ) {}

  /** The parts of the record an append reads (consistent read). */
  async read(folderUri: string): Promise<AppendableRecord | undefined> {
    const names = Object.fromEntries(READ.map((a, i) => [`#r${i}`, a]));
    const out = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.table,
        Key: recordKey(folderUri),
        ConsistentRead: true,
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: names,
      }),
    );
    return out.Item ? (unmarshall(out.Item) as AppendableRecord) : undefined;
  }

  /**
   * Claims the next batch of a READY folder: `generation` moves on and `append` becomes `batch`, on
   * the condition that the folder is still READY on the generation read and has no batch at work.
   */
  claim(record: AppendableRecord, batch: AppendBatch): Promise<boolean> {
    const sameGeneration =
      record.generation === undefined ? 'attribute_not_exists(generation)' : 'generation = :previous';
    return this.write(
      record.folderUri,
      'SET generation = :generation, #append = :batch, updatedAt = :now',
      `#status = :ready AND ${sameGeneration} AND (attribute_not_exists(#append) OR #append.#status IN (:done, :failed))`,
      {
        ':generation': batch.generation,
        ':batch': batch,
        ':now': batch.claimedAt,
        ':ready': 'READY',
        ':done': 'DONE',
        ':failed': 'FAILED',
        ...(record.generation === undefined ? {} : { ':previous': record.generation }),
      },
    );
  }

  /**
   * Replaces the batch the record holds with `next` (and writes `extra`), if the record still holds
   * `current`: the same token and status, and no objects announced since it was read.
   */
  replace(
    folderUri: string,
    current: AppendBatch,
    next: AppendBatch,
    now: string,
    extra: BatchEndAttributes = {},
  ): Promise<boolean> {
    const extras = Object.entries(extra).filter(([, v]) => v !== undefined);
    const set = ['#append = :next', 'updatedAt = :now', ...extras.map(([name]) => `${name} = :x_${name}`)];
    const more = current.more ? '#append.#more = :true' : 'attribute_not_exists(#append.#more)';
    return this.write(
      folderUri,
      `SET ${set.join(', ')}`,
      `#append.#token = :token AND #append.#status = :status AND ${more}`,
      {
        ':next': next,
        ':now': now,
        ':token': current.token,
        ':status': current.status,
        ...(current.more ? { ':true': true } : {}),
        ...Object.fromEntries(extras.map(([name, v]) => [`:x_${name}`, v])),
      },
    );
  }

  private async write(
    folderUri: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    const names: Record<string, string> = { '#append': 'append', '#status': 'status' };
    if (condition.includes('#token')) names['#token'] = 'token';
    if (condition.includes('#more')) names['#more'] = 'more';
    return writeConditionally(
      this.dynamodb,
      new UpdateItemCommand({
        TableName: this.table,
        Key: recordKey(folderUri),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
      }),
    );
  }
}
