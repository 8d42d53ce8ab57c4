/** The `error` attribute of a record, with an empty message when there is none. */
export function errorOf(record: Record<string, unknown> | undefined): { code?: string; message: string } {
  const error = record?.error as { code?: string; message?: string } | undefined;
  return { code: error?.code, message: error?.message ?? '' };
}
