import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SettingsOf } from './settings';
import { cleanText } from './text';
import { VisualLayerClient } from './visual-layer/client';
import { BearerAuth } from './visual-layer/credentials';
import type { ExchangeObserver } from './visual-layer/exchange';

/** One logger per function, JSON lines, service name shared by every function of the pipeline. */
export function createLogger(): Logger {
  return new Logger({ serviceName: 'vl-ingest' });
}

/** How long a secret value is reused across warm invocations before it is read again. */
export const SECRET_CACHE_SECONDS = 300;

/**
 * The Visual Layer client a handler uses, built once per container from its settings. The secret is
 * cached for {@link SECRET_CACHE_SECONDS} and read again at once after a 401; its Secrets Manager
 * client is traced, and every request is told to `onExchange` (the function's metrics).
 */
export function createVisualLayerClient(
  settings: SettingsOf<'create-dataset'>['visualLayer'],
  { tracer, onExchange }: { tracer: Tracer; onExchange: ExchangeObserver },
): VisualLayerClient {
  const { secretId } = settings;
  const secrets = new SecretsProvider({
    awsSdkV3Client: tracer.captureAWSv3Client(new SecretsManagerClient({})),
  });
  const auth = new BearerAuth(
    ({ fresh }) =>
      secrets.get(secretId, { maxAge: SECRET_CACHE_SECONDS, forceFetch: fresh }) as Promise<
        string | undefined
      >,
    secretId,
  );
  return new VisualLayerClient({
    baseUrl: settings.baseUrl,
    auth,
    timeoutMs: settings.requestTimeoutMs,
    onExchange,
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
