import { VisualLayerForbiddenError, VisualLayerNotFoundError } from '../errors';
import type { DatasetSummary, VisualLayerClient } from './client';

/** What the create step needs: the folder and the name, plus when this attempt began. */
export interface CreateRequest {
  folderUri: string;
  datasetName: string;
  /** Datasets created before this instant (minus a margin) belong to earlier attempts. */
  notBefore: Date;
}

/** How a dataset was obtained. */
export interface CreateResult {
  datasetId: string;
  /** True when an earlier, ambiguous attempt had already created it and it was adopted. */
  adopted: boolean;
}

/**
 * Clock skew tolerated between AWS and Visual Layer when matching an earlier attempt's dataset. Small
 * on purpose: a same-named dataset made well before this attempt began belongs to someone else.
 */
export const ADOPTION_MARGIN_MS = 60 * 1000;

/**
 * A listed dataset, as adoption reads it. `bucketPath` is the folder it reads, when the listing
 * says so (Visual Layer does not document it for the list; when absent, the name alone decides).
 */
export interface AdoptionCandidate extends DatasetSummary {
  bucketPath?: string;
}

/**
 * Creates the dataset for a folder without ever making two: Visual Layer has no idempotency key, so
 * before posting it looks for a dataset of exactly this name created during this attempt (a POST that
 * timed out or lost its connection may have succeeded) and adopts it. Datasets that ended in ERROR
 * and datasets older than the attempt are never adopted.
 */
export async function createDatasetOnce(
  client: VisualLayerClient,
  request: CreateRequest,
): Promise<CreateResult> {
  const existing = findEarlierAttempt(await listForAdoption(client), request);
  if (existing) return { datasetId: existing.id, adopted: true };
  const { datasetId } = await client.createDataset({
    name: request.datasetName,
    bucketPath: request.folderUri,
  });
  return { datasetId, adopted: false };
}

/**
 * Lists datasets to look for an earlier attempt. A transient or auth failure stops the create (it
 * will be retried or reported); a listing the account may not use (403/404) only skips the look.
 */
async function listForAdoption(client: VisualLayerClient): Promise<DatasetSummary[]> {
  try {
    return await client.listDatasets();
  } catch (error) {
    if (error instanceof VisualLayerForbiddenError || error instanceof VisualLayerNotFoundError) return [];
    throw error;
  }
}

/**
 * The dataset an earlier try of this attempt created, if any: exactly the same name (compared in
 * NFC), the same folder when the listing names one, not failed, and created since the attempt
 * began (less {@link ADOPTION_MARGIN_MS}). Generated names are unique per folder, so this never
 * picks another folder's dataset.
 */
export function findEarlierAttempt(
  datasets: readonly AdoptionCandidate[],
  request: CreateRequest,
): AdoptionCandidate | undefined {
  const since = request.notBefore.getTime() - ADOPTION_MARGIN_MS;
  const name = request.datasetName.normalize('NFC');
  return datasets.find(
    (d) =>
      d.displayName.normalize('NFC') === name &&
      (d.bucketPath === undefined || sameFolder(d.bucketPath, request.folderUri)) &&
      d.vlStatus !== 'ERROR' &&
      d.vlStatus !== 'FATAL_ERROR' &&
      d.createdAt !== undefined &&
      d.createdAt >= since,
  );
}

/** `s3://b/cams` and `s3://b/cams/` are the same folder; nothing else is normalised (S3 keys are exact). */
function sameFolder(a: string, b: string): boolean {
  return a.replace(/\/$/, '') === b.replace(/\/$/, '');
}
