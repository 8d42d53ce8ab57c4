import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { decodeJwt } from 'jose';
import { OUTPUTS } from '../infra/outputs';
import { VisualLayerAuthError } from '../lambdas/shared/errors';
import { cleanText } from '../lambdas/shared/text';
import { VisualLayerClient, withoutTrailingSlash } from '../lambdas/shared/visual-layer/client';
import { BearerAuth, parseCredentialSecret } from '../lambdas/shared/visual-layer/credentials';
import { describeAwsError } from './aws';
import { type Check, fromAwsError } from './checks';
import type { RunContext } from './context';
import type { Deployment } from './deployment';

/** Longest a Visual Layer request of `doctor` may take. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Visual Layer as the functions reach it: it answers its health check, the secret holds usable
 * credentials, and Visual Layer accepts a token minted from them (it lists the account's datasets).
 * The secret's value and the token stay in this process: no line, error or JSON carries them.
 */
export async function visualLayerChecks(ctx: RunContext, d: Deployment): Promise<Check[]> {
  const baseUrl = d.outputs[OUTPUTS.visualLayerBaseUrl];
  const health = baseUrl
    ? await healthCheck(baseUrl)
    : {
        name: 'Visual Layer',
        status: 'unknown' as const,
        detail: `cannot check: the outputs do not say where Visual Layer is (${OUTPUTS.visualLayerBaseUrl}): deploy the stack again`,
      };
  const secret = await readSecret(ctx, d);
  const checks = [health, secret.check];
  if (secret.value === undefined || !baseUrl) {
    checks.push({
      name: 'credentials',
      status: 'skip',
      detail: 'not tried: no usable secret or no Visual Layer URL',
    });
  } else checks.push(await credentialsCheck(baseUrl, secret.value, secret.id));
  return checks;
}

async function healthCheck(baseUrl: string): Promise<Check> {
  const name = 'Visual Layer';
  const url = `${withoutTrailingSlash(baseUrl)}/api/v1/healthcheck`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await response.body?.cancel();
    if (response.ok) return { name, status: 'pass', detail: `${baseUrl} answers its health check` };
    // An API that wants credentials even for its health check is there all the same.
    if (response.status === 401 || response.status === 403) {
      return { name, status: 'pass', detail: `${baseUrl} answers (its health check asks for credentials)` };
    }
    return {
      name,
      status: 'fail',
      detail: `${url} answered ${response.status}`,
      fix: 'check visualLayerBaseUrl: the cloud (https://app.visual-layer.com) or your install, without /api/v1',
    };
  } catch (error) {
    const cause =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    return {
      name,
      status: 'fail',
      detail: `cannot reach ${url}: ${cause}`,
      fix: 'check visualLayerBaseUrl and that this machine (and the functions) can reach it',
    };
  }
}

async function readSecret(
  ctx: RunContext,
  d: Deployment,
): Promise<{ check: Check; value?: string; id: string }> {
  const name = 'secret';
  const id = d.outputs[OUTPUTS.secret] ?? '';
  if (!id)
    return { id, check: { name, status: 'unknown', detail: 'cannot check: the outputs name no secret' } };
  let raw: string | undefined;
  try {
    raw = (await ctx.aws.secretsManager().send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceNotFoundException') {
      const fix = 'check secretName and the region; deploy the stack again to make it';
      return { id, check: { name, status: 'fail', detail: `the secret ${id} does not exist`, fix } };
    }
    return { id, check: fromAwsError(name, `Secrets Manager GetSecretValue of ${id}`, error) };
  }
  const fix = `aws secretsmanager put-secret-value --secret-id ${id} --secret-string '{"apiKey":"<API key>","apiSecret":"<API secret>"}'`;
  let credentials: ReturnType<typeof parseCredentialSecret>;
  try {
    credentials = parseCredentialSecret(raw, id);
  } catch (error) {
    // Its messages name the fields that are wrong, never their values.
    return {
      id,
      check: { name, status: 'fail', detail: describeAwsError(error).replace(/^\w+: /, ''), fix },
    };
  }
  if (credentials.kind === 'keys') {
    return { id, value: raw, check: { name, status: 'pass', detail: `${id} holds an API key and secret` } };
  }
  const expires = expiryOf(credentials.jwt);
  if (expires !== undefined && expires <= ctx.now().getTime()) {
    const detail = `${id} holds a ready-made token that expired ${new Date(expires).toISOString()}`;
    return { id, check: { name, status: 'fail', detail, fix } };
  }
  const until = expires === undefined ? '' : `, valid until ${new Date(expires).toISOString()}`;
  return {
    id,
    value: raw,
    check: { name, status: 'pass', detail: `${id} holds a ready-made token${until}` },
  };
}

async function credentialsCheck(baseUrl: string, secretValue: string, secretId: string): Promise<Check> {
  const name = 'credentials';
  const client = new VisualLayerClient({
    baseUrl,
    auth: new BearerAuth(async () => secretValue, secretId),
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  try {
    const datasets = await client.listDatasets();
    return {
      name,
      status: 'pass',
      detail: `Visual Layer accepted a token made from the secret: ${datasets.length} dataset(s) visible`,
    };
  } catch (error) {
    const said = cleanText(describeAwsError(error).replace(/^\w+: /, ''), 500);
    if (error instanceof VisualLayerAuthError) {
      return {
        name,
        status: 'fail',
        detail: said,
        fix: `put a valid API key and secret in ${secretId} (README, "Credentials")`,
      };
    }
    return { name, status: 'fail', detail: `listing datasets failed: ${said}` };
  }
}

/** A JWT's `exp` as epoch milliseconds, when it has one. */
function expiryOf(jwt: string): number | undefined {
  try {
    const { exp } = decodeJwt(jwt);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
