import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { numberEnv, requireEnv } from './env';
import { VisualLayerClient } from './visual-layer/client';
import { BearerAuth } from './visual-layer/credentials';

/** One logger per function, JSON lines, service name shared by every function of the pipeline. */
export function createLogger(): Logger {
  return new Logger({ serviceName: 'vl-ingest' });
}

/** How long a secret value is reused across warm invocations before it is read again. */
export const SECRET_CACHE_SECONDS = 300;

/**
 * The Visual Layer client a handler uses, built once per container from the environment:
 * `VL_BASE_URL`, `VL_SECRET_ID` and `VL_REQUEST_TIMEOUT_MS`. The secret is cached for
 * {@link SECRET_CACHE_SECONDS} and read again at once after a 401.
 */
export function createVisualLayerClient(env: NodeJS.ProcessEnv): VisualLayerClient {
  const secretId = requireEnv(env, 'VL_SECRET_ID');
  const auth = new BearerAuth(
    ({ fresh }) =>
      getSecret(secretId, { maxAge: SECRET_CACHE_SECONDS, forceFetch: fresh }) as Promise<string | undefined>,
    secretId,
  );
  return new VisualLayerClient({
    baseUrl: requireEnv(env, 'VL_BASE_URL'),
    auth,
    timeoutMs: numberEnv(env, 'VL_REQUEST_TIMEOUT_MS', 20_000),
  });
}

/** Logs a failure by name and message only: error messages are built never to hold credentials. */
export function logFailure(logger: Logger, what: string, error: unknown): void {
  if (error instanceof Error) logger.error(what, { errorName: error.name, errorMessage: error.message });
  else logger.error(what, { errorName: 'unknown' });
}
