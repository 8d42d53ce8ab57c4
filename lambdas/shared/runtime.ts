import { Logger } from '@aws-lambda-powertools/logger';
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import type { SettingsOf } from './settings';
import { cleanText } from './text';
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

/**
 * Logs a failure by name and message only. The message is redacted and bounded once more: it may
 * carry words of Visual Layer or AWS that echo a credential, or be of any length.
 */
export function logFailure(logger: Logger, what: string, error: unknown): void {
  if (error instanceof Error)
    logger.error(what, { errorName: cleanText(error.name, 200), errorMessage: cleanText(error.message) });
  else logger.error(what, { errorName: 'unknown' });
}
