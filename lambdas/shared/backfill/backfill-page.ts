import { emptyBatch, type FolderBatch, type LedgerObject } from '../ledger/folder-batch';
import { type FolderRules, planFolder } from '../s3/s3-key';

/** One key of a listing page, decoded (the page asks for URL-encoded keys, as S3 events carry them). */
export interface ListedKey {
  key: string;
  size?: number;
  lastModified?: Date;
  etag?: string;
}

/** A folder of a page: its objects as a batch, and the index in the page of its last key. */
export interface PageFolder {
  batch: FolderBatch;
  lastIndex: number;
}

/**
 * The folders of a listing page, in key order, each with its media objects — as live events would
 * bring them: keys that belong to no folder, empty objects and files that are not media are left
 * out, by the same rules (`planFolder`). With the marker trigger too: a backfill takes every folder
 * it lists as complete, so its objects are grouped as the quiet trigger groups them. Keys of one
 * folder are contiguous in a listing, so only a page's last folder may go on in the next page.
 * Pure: no I/O.
 */
export function foldPage(bucket: string, keys: readonly ListedKey[], rules: FolderRules): PageFolder[] {
  const objectRules: FolderRules = { ...rules, trigger: 'quiet' };
  const folders: PageFolder[] = [];
  keys.forEach((listed, index) => {
    const plan = planFolder({ bucket, key: listed.key, size: listed.size }, objectRules);
    if (plan.action === 'skip' || !listed.lastModified) return;
    let folder = folders.at(-1);
    if (folder?.batch.folderUri !== plan.folderUri) {
      folder = { batch: emptyBatch(plan), lastIndex: index };
      folders.push(folder);
    }
    const object: LedgerObject = {
      key: listed.key,
      objectAt: listed.lastModified.toISOString(),
      size: listed.size,
      ...(listed.etag ? { etag: listed.etag.replace(/"/g, '') } : {}),
    };
    folder.batch.objects.push(object);
    folder.lastIndex = index;
  });
  return folders;
}
