/**
 * What to do about each failure code of a record: the "what to do" column of the failure codes table of
 * docs/operations.md, as plain text (a test keeps the two the same). `<folder>` stands for the folder.
 */
export const FIXES: Record<string, string> = {
  VL_ERROR:
    'usually bucket access: see Let Visual Layer read the bucket (README.md#let-visual-layer-read-the-bucket); then vl-ingest retry <folder>',
  TIMED_OUT:
    'the dataset may still finish in Visual Layer; raise maxWaitMinutes for large folders or a busy account, then vl-ingest retry <folder>',
  AUTH: 'put a valid API key/secret in the secret (vl-ingest doctor checks it), then vl-ingest retry <folder>',
  BAD_CREDENTIALS:
    'see Troubleshooting (docs/operations.md#troubleshooting): vl-ingest doctor says what is wrong with the secret',
  BAD_REQUEST: 'fix what it names (bucket path, plan limits), then vl-ingest retry <folder>',
  FORBIDDEN: "check the account's permissions, plan and the dataset",
  NOT_FOUND: "check the account's permissions, plan and the dataset",
  CONFLICT: "check the account's permissions, plan and the dataset",
  BAD_RESPONSE: 'check visualLayerBaseUrl points at the API (vl-ingest doctor calls it)',
  UNREACHABLE:
    "check Visual Layer's status (or the credentials, if the message says they were refused); then vl-ingest retry <folder>",
  AWS_UNAVAILABLE: 'see the function logs; then vl-ingest retry <folder>',
  BAD_EVENT: 'start executions only through the rule',
  INTERNAL: "see the execution history and the function's logs",
  EXECUTION_FAILED:
    'read its history (States.DataLimitExceeded: a state over 256 KB); then vl-ingest retry <folder>',
  EXECUTION_TIMED_OUT: 'read the execution history; then vl-ingest retry <folder>',
  EXECUTION_ABORTED: 'vl-ingest retry <folder> ingests the folder anew',
  EXECUTION_LOST:
    "see the folding function's log and the dead-letter queue (vl-ingest doctor counts it); then vl-ingest retry <folder>",
};

/** The fix the docs give for a failure code, with the folder filled in; undefined for an unknown code. */
export function fixFor(code: string | undefined, folderUri: string): string | undefined {
  const fix = code === undefined ? undefined : FIXES[code];
  return fix?.split('<folder>').join(quoted(folderUri));
}

/** A folder URI as a shell argument: quoted when it holds anything a shell would split or expand. */
export function quoted(folderUri: string): string {
  return /^[\w@%+=:,./-]+$/.test(folderUri) ? folderUri : `'${folderUri.replace(/'/g, "'\\''")}'`;
}
