import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { CredentialsError, TransientDependencyError } from '../../lambdas/shared/errors';
import { redactSecrets } from '../../lambdas/shared/text';
import {
  BearerAuth,
  mintJwt,
  parseCredentialSecret,
  TOKEN_TTL_SECONDS,
} from '../../lambdas/shared/visual-layer/credentials';

const apiKey = 'key-123';
const apiSecret = 'a-very-secret-api-secret-value';
const now = new Date('2026-11-29T10:00:00.500Z');

describe('mintJwt', () => {
  it('signs HS256 with the API secret, kid/sub = API key, iss "sdk", 10-minute expiry, no aud', async () => {
    const token = await mintJwt(apiKey, apiSecret, now);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: apiKey });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(apiSecret), {
      currentDate: now,
      algorithms: ['HS256'],
    });
    const iat = Math.floor(now.getTime() / 1000);
    expect(payload).toEqual({ sub: apiKey, iss: 'sdk', iat, exp: iat + TOKEN_TTL_SECONDS });
    expect(TOKEN_TTL_SECONDS).toBe(600);
  });

  it('does not verify with another secret', async () => {
    const token = await mintJwt(apiKey, apiSecret, now);
    await expect(jwtVerify(token, new TextEncoder().encode('other'), { currentDate: now })).rejects.toThrow();
  });
});

describe('parseCredentialSecret', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

  it('reads API key and secret', () => {
    expect(parseCredentialSecret(JSON.stringify({ apiKey, apiSecret }), 's')).toEqual({
      kind: 'keys',
      apiKey,
      apiSecret,
    });
  });

  it('reads {"jwt"} and a bare token', () => {
    expect(parseCredentialSecret(JSON.stringify({ jwt }), 's')).toEqual({ kind: 'token', jwt });
    expect(parseCredentialSecret(`  ${jwt}\n`, 's')).toEqual({ kind: 'token', jwt });
  });

  it.each([
    ['empty', '', /is empty/],
    ['not JSON', '{apiKey:', /not valid JSON/],
    ['half of the keys', JSON.stringify({ apiKey }), /lacks apiSecret/],
    ['the stack placeholder', JSON.stringify({ apiKey: 'REPLACE_WITH_API_KEY', apiSecret }), /placeholder/],
    ['no known field', JSON.stringify({ user: 'x' }), /neither apiKey\/apiSecret nor jwt/],
    ['plain text', 'hunter2 hunter2', /neither JSON nor a JWT/],
  ])('refuses %s, naming the secret but not the value', (_what, raw, message) => {
    const attempt = () => parseCredentialSecret(raw, 'vl/creds');
    expect(attempt).toThrowError(CredentialsError);
    expect(attempt).toThrowError(message);
    expect(attempt).toThrowError(/vl\/creds/);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain(apiSecret);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});

describe('BearerAuth', () => {
  it('mints a fresh token per call and re-reads the secret only when asked', async () => {
    const read = vi.fn(async () => JSON.stringify({ apiKey, apiSecret }));
    const auth = new BearerAuth(read, 'vl/creds', () => now);
    const header = await auth.header({ fresh: false });
    expect(header).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    await auth.header({ fresh: true });
    expect(read.mock.calls).toEqual([[{ fresh: false }], [{ fresh: true }]]);
  });
});

/** An AWS SDK error as Powertools `getSecret` throws it: wrapped in a GetParameterError. */
function awsError(name: string, status: number, message = `${name} happened`): Error {
  const cause = Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  return Object.assign(new Error(message, { cause }), { name: 'GetParameterError' });
}

describe('BearerAuth when the secret cannot be read', () => {
  const readFailing = (error: unknown) => new BearerAuth(async () => Promise.reject(error), 'vl/creds');

  it.each([
    ['throttling', awsError('ThrottlingException', 400, 'Rate exceeded')],
    ['a 5xx', awsError('InternalServiceError', 500)],
    ['an SDK timeout', awsError('TimeoutError', 0)],
    ['a dropped connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
  ])('treats %s as transient, naming the secret and the error', async (_what, failure) => {
    const error = await readFailing(failure)
      .header({ fresh: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientDependencyError);
    expect((error as Error).message).toMatch(/reading the secret vl\/creds/);
  });

  it.each([
    ['ResourceNotFoundException', 400, /the secret vl\/creds does not exist/],
    ['AccessDeniedException', 400, /may not read the secret vl\/creds/],
    ['DecryptionFailure', 400, /cannot decrypt the secret vl\/creds.*KMS key/],
  ])('turns %s into a CredentialsError that says which', async (name, status, message) => {
    const error = await readFailing(awsError(name, status))
      .header({ fresh: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).not.toMatch(/placeholder/);
  });

  it('reads a denied KMS decrypt as a key problem, not a secret permission', async () => {
    const error = await readFailing(
      awsError('AccessDeniedException', 400, 'Access to KMS is not allowed: kms:Decrypt denied'),
    )
      .header({ fresh: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toMatch(/KMS key/);
  });

  it('passes any other failure on unchanged', async () => {
    const odd = awsError('InvalidParameterException', 400);
    const error = await readFailing(odd)
      .header({ fresh: false })
      .catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(CredentialsError);
    expect(error).not.toBeInstanceOf(TransientDependencyError);
    expect((error as Error).name).toBe('InvalidParameterException');
  });

  it('remembers the API secret it read, so no message can carry it', async () => {
    const auth = new BearerAuth(async () => JSON.stringify({ apiKey, apiSecret }), 'vl/creds');
    await auth.header({ fresh: false });
    expect(redactSecrets(`echo ${apiSecret}`)).toBe('echo [redacted]');
  });
});
