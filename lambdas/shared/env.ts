import { InvalidInputError } from './errors';
import type { FolderRules } from './s3/s3-key';

/** Reads a required environment variable; the error names the variable. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new InvalidInputError(`environment variable ${name} is not set`);
  return value;
}

/** Reads a numeric environment variable, with a default when unset. */
export function numberEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value))
    throw new InvalidInputError(`environment variable ${name}="${raw}" is not a number`);
  return value;
}

/** The folder rules from `FOLDER_PREFIX`, `FOLDER_DEPTH`, `TRIGGER`, `MARKER_NAME`, `DATASET_NAME_PREFIX`. */
export function readFolderRules(env: NodeJS.ProcessEnv): FolderRules {
  const folderDepth = Number(requireEnv(env, 'FOLDER_DEPTH'));
  if (!Number.isInteger(folderDepth) || folderDepth < 1) {
    throw new InvalidInputError(
      `environment variable FOLDER_DEPTH="${env.FOLDER_DEPTH}" is not a whole number ≥ 1`,
    );
  }
  return {
    prefix: env.FOLDER_PREFIX ?? '',
    folderDepth,
    trigger: env.TRIGGER === 'marker' ? 'marker' : 'quiet',
    markerName: env.MARKER_NAME ?? '_READY',
    datasetNamePrefix: env.DATASET_NAME_PREFIX ?? '',
  };
}
