import { type ObjectCreatedEvent, readObjectCreatedEvent } from '../s3/object-event';
import { type FolderPlan, type FolderRules, planFolder } from '../s3/s3-key';
import { isLaterWrite } from './sequencer';

/** One SQS message carrying an EventBridge event. */
export interface QueuedMessage {
  messageId: string;
  body: string;
}

/** A distinct object of a folder, as the ledger keeps it. */
export interface LedgerObject {
  key: string;
  objectAt: string;
  size: number | undefined;
  sequencer?: string;
  etag?: string;
}

/** Everything one batch says about one folder. */
export interface FolderBatch {
  bucket: string;
  folderKey: string;
  folderUri: string;
  datasetName: string;
  /** Distinct objects (a duplicate delivery in the same batch appears once). */
  objects: LedgerObject[];
  /** Messages that carried these objects: they succeed or fail together. */
  messageIds: string[];
}

/** A batch folded per folder. */
export interface FoldedBatch {
  folders: FolderBatch[];
  /** Messages about objects that belong to no dataset folder: done, nothing to do. */
  skipped: { messageId: string; reason: string }[];
  /** Messages that are not S3 "Object Created" events: they fail, and end in the dead-letter queue. */
  unreadable: { messageId: string; reason: string }[];
}

/** A batch of the planned object's folder, with no object yet. */
export function emptyBatch(plan: FolderPlan): FolderBatch {
  const { bucket, folderKey, folderUri, datasetName } = plan;
  return { bucket, folderKey, folderUri, datasetName, objects: [], messageIds: [] };
}

/**
 * Folds a batch of queued object events into one entry per folder, so a batch costs one claim check
 * per folder instead of one per object. Pure: no I/O.
 */
export function foldBatch(messages: QueuedMessage[], rules: FolderRules): FoldedBatch {
  const folders = new Map<string, FolderBatch & { byKey: Map<string, LedgerObject> }>();
  const skipped: FoldedBatch['skipped'] = [];
  const unreadable: FoldedBatch['unreadable'] = [];
  for (const message of messages) {
    let object: ReturnType<typeof readObjectCreatedEvent>;
    try {
      object = readObjectCreatedEvent(JSON.parse(message.body) as ObjectCreatedEvent);
    } catch (error) {
      unreadable.push({
        messageId: message.messageId,
        reason: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    const plan = planFolder(object, rules);
    if (plan.action === 'skip') {
      skipped.push({ messageId: message.messageId, reason: plan.reason });
      continue;
    }
    let folder = folders.get(plan.folderUri);
    if (!folder) {
      folder = { ...emptyBatch(plan), byKey: new Map() };
      folders.set(plan.folderUri, folder);
    }
    folder.messageIds.push(message.messageId);
    const seen = folder.byKey.get(object.key);
    if (!seen || isLaterWrite(object, seen)) {
      const { key, objectAt, size, sequencer, etag } = object;
      folder.byKey.set(key, { key, objectAt, size, sequencer, etag });
    }
  }
  return {
    folders: [...folders.values()].map(({ byKey, ...folder }) => ({
      ...folder,
      objects: [...byKey.values()],
    })),
    skipped,
    unreadable,
  };
}
