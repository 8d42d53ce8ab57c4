import type { RecordAttribute } from '../lambdas/shared/record/folder-record';
import type { StoredRecord } from '../lambdas/shared/record/record-query';
import { UsageError } from './exit';

/**
 * Typed reads of a stored record's attributes, tolerant of values of the wrong type (shown as absent).
 * Attribute names are the record module's (`RecordAttribute`); the living-folders attributes below are
 * read when a stack writes them and ignored otherwise.
 */

/** A text attribute. */
export function textOf(record: StoredRecord, name: RecordAttribute): string | undefined {
  const value = record[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A number attribute. */
export function numberOf(record: StoredRecord, name: RecordAttribute | 'generation'): number | undefined {
  const value = record[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** `{code, message}` of `error` or `lastError`. */
export function errorOf(
  record: StoredRecord,
  name: 'error' | 'lastError' = 'error',
): { code: string; message: string } | undefined {
  return errorIn(record[name]);
}

function errorIn(value: unknown): { code: string; message: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { code, message } = value as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return undefined;
  return { code, message: typeof message === 'string' ? message : '' };
}

/** One batch of objects sent to a folder's dataset after its create. */
export interface AppendView {
  generation?: number;
  /** COLLECTING, SENDING, INDEXING, DONE or FAILED. */
  status?: string;
  count?: number;
  startedAt?: string;
  finishedAt?: string;
  error?: { code: string; message: string };
}

/** Statuses of an append batch that has not ended. */
export const APPENDS_IN_FLIGHT = ['COLLECTING', 'SENDING', 'INDEXING'];

/** The current or last append batch (`append`), when the record has one. */
export function appendOf(record: StoredRecord): AppendView | undefined {
  return appendIn(record.append);
}

/** The batches the record keeps (`appends`), oldest first. */
export function appendsOf(record: StoredRecord): AppendView[] {
  const list = record.appends;
  return Array.isArray(list) ? list.flatMap((item) => appendIn(item) ?? []) : [];
}

function appendIn(value: unknown): AppendView | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const num = (k: string) => (typeof v[k] === 'number' ? (v[k] as number) : undefined);
  const error = errorIn(v.error);
  return {
    generation: num('generation'),
    status: str('status'),
    count: num('count'),
    startedAt: str('startedAt'),
    finishedAt: str('finishedAt'),
    ...(error ? { error } : {}),
  };
}

/**
 * The folder URI a command argument names: an `s3://bucket/folder/` URI (the trailing slash may be left
 * out), or a folder key in the deployment's bucket (`Line 3 cameras/night 1`).
 *
 * @throws UsageError for a URI without a folder.
 */
export function folderUriFrom(argument: string, bucket: string): string {
  const uri = argument.startsWith('s3://') ? argument : `s3://${bucket}/${argument.replace(/^\/+/, '')}`;
  const { folderKey } = splitFolderUri(uri);
  if (folderKey === '' || folderKey === '/') {
    throw new UsageError(`"${argument}" names no folder: give s3://bucket/folder/ or a folder of ${bucket}`);
  }
  return uri.endsWith('/') ? uri : `${uri}/`;
}

/** The bucket and folder key (`a/b/`) of a folder URI. */
export function splitFolderUri(folderUri: string): { bucket: string; folderKey: string } {
  const rest = folderUri.replace(/^s3:\/\//, '');
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest, folderKey: '' };
  const key = rest.slice(slash + 1);
  return { bucket: rest.slice(0, slash), folderKey: key === '' || key.endsWith('/') ? key : `${key}/` };
}
