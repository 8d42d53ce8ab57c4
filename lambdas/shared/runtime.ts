import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { SettingsOf } from './settings';
import { VisualLayerClient } from './visual-layer/client';
import { BearerAuth } from './visual-layer/credentials';

/** One logger per function, JSON lines, service name shared by every function of the pipeline. */
export function createLogger(): Logger {
  return new Logger({ serviceName: 'vl-ingest' });
}

/** How long a secret value is reused across warm invocations before it is read again. */
export const SECRET_CACHE_SECONDS = 300;

/**
 * The Visual Layer client a handler uses, built once per container from its settings. The secret is
 * cached for {@link SECRET_CACHE_SECONDS} and read again at once after a 401.
 */
export function createVisualLayerClient(
  settings: SettingsOf<'create-dataset'>['visualLayer'],
): VisualLayerClient {
  const { secretId } = settings;
  const auth = new BearerAuth(
    ({ fresh }) =>
      getSecret(secretId, { maxAge: SECRET_CACHE_SECONDS, forceFetch: fresh }) as Promise<string | undefined>,
    secretId,
  );
  return new VisualLayerClient({
    baseUrl: settings.baseUrl,
    auth,
    timeoutMs: settings.requestTimeoutMs,
  });
}

/** Logs a failure by name and message only: error messages are built never to hold credentials. */
export function logFailure(logger: Logger, what: string, error: unknown): void {
  if (error instanceof Error) logger.error(what, { errorName: error.name, errorMessage: error.message });
  else logger.error(what, { errorName: 'unknown' });
}
