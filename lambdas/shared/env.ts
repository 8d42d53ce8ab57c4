import { InvalidInputError } from './errors';

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
