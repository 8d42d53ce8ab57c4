import { SignJWT } from 'jose';
import { CredentialsError, TransientDependencyError } from '../errors';
import { rememberSecret } from '../text';
import { PLACEHOLDER_API_KEY } from './placeholder';

/** What the credentials secret can hold. */
export type VisualLayerCredentials =
  | { kind: 'keys'; apiKey: string; apiSecret: string }
  | { kind: 'token'; jwt: string };

/** Lifetime of a minted token. The API docs use 10 minutes; a token is minted per invocation. */
export const TOKEN_TTL_SECONDS = 600;

// Its own module: the CDK code writes it into a new secret without loading jose.
export { PLACEHOLDER_API_KEY };

/**
 * Reads the secret's value: `{"apiKey": "...", "apiSecret": "..."}` (preferred), `{"jwt": "..."}`, or
 * a bare token string. Messages name the fields that are wrong, never their values.
 *
 * @throws CredentialsError when the value is none of these, or still holds the stack's placeholder.
 */
export function parseCredentialSecret(raw: string | undefined, secretId: string): VisualLayerCredentials {
  const text = raw?.trim() ?? '';
  if (text === '') throw new CredentialsError(`the secret ${secretId} is empty; ${HOW_TO_FILL}`);
  if (!text.startsWith('{')) {
    if (looksLikeJwt(text)) return { kind: 'token', jwt: text };
    throw new CredentialsError(`the secret ${secretId} is neither JSON nor a JWT; ${HOW_TO_FILL}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CredentialsError(`the secret ${secretId} is not valid JSON; ${HOW_TO_FILL}`);
  }
  const fields = (value ?? {}) as Record<string, unknown>;
  const apiKey = stringField(fields, 'apiKey', 'api_key');
  const apiSecret = stringField(fields, 'apiSecret', 'api_secret');
  const jwt = stringField(fields, 'jwt', 'token');
  if (apiKey !== undefined || apiSecret !== undefined) {
    const missing = [apiKey === undefined && 'apiKey', apiSecret === undefined && 'apiSecret'].filter(
      Boolean,
    );
    if (missing.length > 0) {
      throw new CredentialsError(`the secret ${secretId} lacks ${missing.join(' and ')}; ${HOW_TO_FILL}`);
    }
    if (apiKey === PLACEHOLDER_API_KEY) {
      throw new CredentialsError(`the secret ${secretId} still holds the placeholder values; ${HOW_TO_FILL}`);
    }
    return { kind: 'keys', apiKey: apiKey as string, apiSecret: apiSecret as string };
  }
  if (jwt !== undefined) {
    if (!looksLikeJwt(jwt))
      throw new CredentialsError(`the secret ${secretId} has a "jwt" that is not a JWT`);
    return { kind: 'token', jwt };
  }
  throw new CredentialsError(`the secret ${secretId} has neither apiKey/apiSecret nor jwt; ${HOW_TO_FILL}`);
}

const HOW_TO_FILL = 'put {"apiKey":"<API key>","apiSecret":"<API secret>"} in it (see README, "Credentials")';

function stringField(fields: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = fields[name];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return undefined;
}

function looksLikeJwt(text: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(text);
}

/**
 * Signs a Visual Layer JWT exactly as the API documents: HS256 with the API secret, header
 * `kid`=apiKey, claims `sub`=apiKey, `iss`="sdk", `iat`=now, `exp`=now+10 min, no `aud`.
 */
export async function mintJwt(apiKey: string, apiSecret: string, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: apiKey })
    .setSubject(apiKey)
    .setIssuer('sdk')
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_TTL_SECONDS)
    .sign(new TextEncoder().encode(apiSecret));
}

/** Reads the raw secret value; `fresh` bypasses any cache. */
export type SecretReader = (options: { fresh: boolean }) => Promise<string | undefined>;

/**
 * Produces the `Authorization` header for each request: the secret is read through `readSecret`
 * (cached by the caller across warm invocations), a token is minted per call from API keys, and a
 * ready-made token is used as is.
 */
export class BearerAuth {
  constructor(
    private readonly readSecret: SecretReader,
    private readonly secretId: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * The header value. With `fresh`, the secret is read again first: used once after a 401, so a
   * rotated secret is picked up without waiting for the cache to expire.
   */
  async header(options: { fresh: boolean }): Promise<string> {
    let raw: string | undefined;
    try {
      raw = await this.readSecret(options);
    } catch (error) {
      throw secretReadError(error, this.secretId);
    }
    const credentials = parseCredentialSecret(raw, this.secretId);
    if (credentials.kind === 'token') {
      rememberSecret(credentials.jwt);
      return `Bearer ${credentials.jwt}`;
    }
    rememberSecret(credentials.apiSecret);
    return `Bearer ${await mintJwt(credentials.apiKey, credentials.apiSecret, this.clock())}`;
  }
}

/**
 * What a failed read of the secret means. Throttling, 5xx, timeouts and dropped connections pass:
 * a {@link TransientDependencyError}, retried. A missing secret, a denied read and a key that cannot
 * decrypt it are {@link CredentialsError}s that say which. Anything else is passed on as the AWS
 * error itself (Powertools wraps it in a `GetParameterError`).
 */
export function secretReadError(error: unknown, secretId: string): unknown {
  const cause =
    error instanceof Error && error.name === 'GetParameterError' && error.cause ? error.cause : error;
  const transient = TransientDependencyError.wrapIfTransient(cause, `reading the secret ${secretId}`);
  if (transient !== cause) return transient;
  const name = cause instanceof Error ? cause.name : '';
  const said = cause instanceof Error ? cause.message : '';
  if (name === 'ResourceNotFoundException') {
    return new CredentialsError(
      `the secret ${secretId} does not exist (${name}): check the secret of the stack (secretName) in this account and region`,
    );
  }
  if (name === 'DecryptionFailure' || (name === 'AccessDeniedException' && /\bKMS\b|kms:/i.test(said))) {
    return new CredentialsError(
      `this function cannot decrypt the secret ${secretId} (${name}): its role may not use the secret's KMS key (kms:Decrypt)`,
    );
  }
  if (name === 'AccessDeniedException') {
    return new CredentialsError(
      `this function may not read the secret ${secretId} (${name}): its role needs secretsmanager:GetSecretValue on it`,
    );
  }
  if (name === 'InvalidRequestException') {
    return new CredentialsError(
      `the secret ${secretId} cannot be read (${name}): it may be scheduled for deletion; restore it`,
    );
  }
  return cause;
}
