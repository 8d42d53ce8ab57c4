import { InvalidInputError } from './errors';

/**
 * Everything the stack passes to the functions, in one place: each setting's environment variable,
 * how the stack writes it ({@link writeSettings}) and how a handler reads it back
 * ({@link readSettings}, strict: a missing or malformed variable is an error naming it). Defaults
 * live only in `infra/config.ts`; here every variable is required.
 */

/** One setting: its variable, and how its value goes to text and back. */
export interface Setting<T> {
  readonly variable: string;
  /** @throws InvalidInputError naming the variable and what it holds. */
  parse(raw: string | undefined): T;
  format(value: T): string;
}

function setting<T>(variable: string, describe: string, parse: (raw: string) => T | undefined): Setting<T> {
  return {
    variable,
    parse(raw) {
      const value = raw === undefined ? undefined : parse(raw);
      if (value === undefined) {
        throw new InvalidInputError(
          `environment variable ${variable}=${JSON.stringify(raw ?? null)} is invalid: expected ${describe}`,
        );
      }
      return value;
    },
    format: String,
  };
}

const text = (variable: string) =>
  setting(variable, 'a non-empty text', (raw) => (raw === '' ? undefined : raw));
const textOrEmpty = (variable: string) => setting(variable, 'a text', (raw) => raw);
const count = (variable: string, min: number) =>
  setting(variable, `a whole number ≥ ${min}`, (raw) => {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    return Number.isInteger(n) && n >= min ? n : undefined;
  });
const positive = (variable: string) =>
  setting(variable, 'a number above 0', (raw) => {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  });
const oneOf = <T extends string>(variable: string, allowed: readonly T[]) =>
  setting(variable, `one of ${allowed.join(', ')}`, (raw) =>
    (allowed as readonly string[]).includes(raw) ? (raw as T) : undefined,
  );

/** The settings, in groups a function takes whole. */
export const SETTING_GROUPS = {
  /** How objects are grouped into dataset folders (see `FolderRules`). */
  folderRules: {
    prefix: textOrEmpty('FOLDER_PREFIX'),
    folderDepth: count('FOLDER_DEPTH', 1),
    trigger: oneOf('TRIGGER', ['quiet', 'marker'] as const),
    markerName: text('MARKER_NAME'),
    datasetNamePrefix: textOrEmpty('DATASET_NAME_PREFIX'),
    bucketName: text('WATCHED_BUCKET'),
  },
  /** Where Visual Layer is and how to reach it. */
  visualLayer: {
    baseUrl: text('VL_BASE_URL'),
    secretId: text('VL_SECRET_ID'),
    requestTimeoutMs: count('VL_REQUEST_TIMEOUT_MS', 1),
  },
  /** Where the folder records are. */
  records: {
    recordsTable: text('RECORDS_TABLE'),
  },
  /** The poll loop's bounds. */
  polling: {
    minSeconds: count('POLL_INTERVAL_SECONDS', 1),
    maxSeconds: count('MAX_POLL_INTERVAL_SECONDS', 1),
    maxWaitMinutes: positive('MAX_WAIT_MINUTES'),
  },
  /** The quiet trigger's settle rule. */
  settling: {
    ledgerTable: text('LEDGER_TABLE'),
    quietSeconds: count('QUIET_SECONDS', 1),
    capSeconds: count('SETTLE_CAP_SECONDS', 1),
  },
  /** Where the folding function records objects and folders, and what it starts. */
  folding: {
    recordsTable: text('RECORDS_TABLE'),
    ledgerTable: text('LEDGER_TABLE'),
    stateMachineArn: text('STATE_MACHINE_ARN'),
    lateObjects: oneOf('LATE_OBJECTS', ['append', 'ignore'] as const),
  },
  /** Where append batches read and write: records, the ledger, the manifests; how they end. */
  appending: {
    recordsTable: text('RECORDS_TABLE'),
    ledgerTable: text('LEDGER_TABLE'),
    manifestsBucket: text('MANIFESTS_BUCKET'),
    reindex: oneOf('REINDEX', ['auto', 'manual'] as const),
  },
  /** Where a listed folder's objects are recorded (marker trigger). */
  listing: {
    ledgerTable: text('LEDGER_TABLE'),
  },
  /** The gate: where its semaphore and waiting list are, and how many slots it has (0: no gate). */
  gating: {
    gateTable: textOrEmpty('GATE_TABLE'),
    maxConcurrentDatasets: count('MAX_CONCURRENT_DATASETS', 0),
  },
  /** Where the backfill records and claims what it lists; how much one step and one execution do. */
  backfilling: {
    recordsTable: text('RECORDS_TABLE'),
    ledgerTable: text('LEDGER_TABLE'),
    backfillTable: text('BACKFILL_TABLE'),
    stateMachineArn: text('STATE_MACHINE_ARN'),
    lateObjects: oneOf('LATE_OBJECTS', ['append', 'ignore'] as const),
    pageSize: count('BACKFILL_PAGE_SIZE', 1),
    stepsPerExecution: count('BACKFILL_STEPS_PER_EXECUTION', 1),
    foldersInFlight: count('BACKFILL_FOLDERS_IN_FLIGHT', 1),
    pauseSeconds: count('BACKFILL_PAUSE_SECONDS', 1),
  },
  /** Where the reconciler finds unfinished records, and whose executions it asks about. */
  reconciling: {
    recordsTable: text('RECORDS_TABLE'),
    stateMachineArn: text('STATE_MACHINE_ARN'),
  },
} as const;

/** The groups each function (by its folder under `lambdas/`) reads. */
export const FUNCTION_SETTINGS = {
  'plan-folder': ['folderRules'],
  'create-dataset': ['visualLayer', 'records', 'polling'],
  'check-status': ['visualLayer', 'polling'],
  'settle-folder': ['settling'],
  'fold-events': ['folderRules', 'folding'],
  reconcile: ['folderRules', 'reconciling', 'gating'],
  gate: ['gating', 'polling'],
  'append-media': ['visualLayer', 'polling', 'appending'],
  'list-folder': ['listing'],
  backfill: ['folderRules', 'backfilling'],
} as const satisfies Record<string, readonly (keyof typeof SETTING_GROUPS)[]>;

/** A function's folder under `lambdas/`. */
export type HandlerName = keyof typeof FUNCTION_SETTINGS;
type Groups = typeof SETTING_GROUPS;
type GroupValues<G> = { -readonly [K in keyof G]: G[K] extends Setting<infer T> ? T : never };
/** The values a function's settings hold, by group. */
export type SettingsOf<H extends HandlerName> = {
  -readonly [G in (typeof FUNCTION_SETTINGS)[H][number]]: GroupValues<Groups[G]>;
};

function settingsOf(handler: HandlerName): [string, Record<string, Setting<unknown>>][] {
  return FUNCTION_SETTINGS[handler].map((group) => [
    group,
    SETTING_GROUPS[group] as Record<string, Setting<unknown>>,
  ]);
}

/** The environment variables a function's settings are written to. */
export function settingVariables(handler: HandlerName): string[] {
  return settingsOf(handler).flatMap(([, group]) => Object.values(group).map((s) => s.variable));
}

/** The environment the stack gives a function for its settings. */
export function writeSettings<H extends HandlerName>(
  handler: H,
  values: SettingsOf<H>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, group] of settingsOf(handler)) {
    const groupValues = (values as Record<string, Record<string, unknown>>)[name] ?? {};
    for (const [key, s] of Object.entries(group)) env[s.variable] = s.format(groupValues[key]);
  }
  return env;
}

/**
 * A function's settings read back from its environment.
 *
 * @throws InvalidInputError naming the first variable that is missing or malformed.
 */
export function readSettings<H extends HandlerName>(handler: H, env: NodeJS.ProcessEnv): SettingsOf<H> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [name, group] of settingsOf(handler)) {
    values[name] = Object.fromEntries(
      Object.entries(group).map(([key, s]) => [key, s.parse(env[s.variable])]),
    );
  }
  return values as SettingsOf<H>;
}
