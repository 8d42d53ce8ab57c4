import { type JsonReply, LocalJsonService } from './json-service';

/** An error `GetSecretValue` answers with, `times` times (see {@link LocalSecretsManager.failReads}). */
export interface SecretReadFailure {
  /** The AWS error name: `ThrottlingException`, `AccessDeniedException`, `DecryptionFailure`... */
  type: string;
  /** HTTP status. @default 400 */
  status?: number;
  message?: string;
  /** @default 1 */
  times?: number;
}

/**
 * A loopback stand-in for the two Secrets Manager calls the pipeline and its operators make
 * (`GetSecretValue`, `PutSecretValue`), so the real AWS SDK (through Powertools `getSecret`) talks
 * to it unchanged via `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
export class LocalSecretsManager extends LocalJsonService {
  private readonly secrets = new Map<string, string>();
  /** Number of `GetSecretValue` calls served: shows caching and re-reads. */
  reads = 0;
  private readonly failures: Required<SecretReadFailure>[] = [];

  constructor() {
    super('application/x-amz-json-1.1');
  }

  /** Stores a value under an ARN or name. */
  setSecret(id: string, value: string): void {
    this.secrets.set(id, value);
  }

  /**
   * Answers the next `times` `GetSecretValue` calls with an AWS error instead of the value, e.g.
   * `{ type: 'ThrottlingException' }` or `{ type: 'InternalServiceError', status: 500 }`.
   */
  failReads(failure: SecretReadFailure): void {
    this.failures.push({ status: 400, message: `injected ${failure.type}`, times: 1, ...failure });
  }

  protected operate(operation: string, input: { SecretId?: unknown; SecretString?: unknown }): JsonReply {
    const id = String(input.SecretId ?? '');
    if (operation === 'GetSecretValue') {
      this.reads += 1;
      const failure = this.failures.find((f) => f.times > 0);
      if (failure) {
        failure.times -= 1;
        return { status: failure.status, body: { __type: failure.type, message: failure.message } };
      }
      const value = this.secrets.get(id);
      if (value === undefined) {
        const message = "Secrets Manager can't find the specified secret.";
        return { status: 400, body: { __type: 'ResourceNotFoundException', message } };
      }
      return {
        status: 200,
        body: { ARN: id, Name: id, SecretString: value, VersionId: 'local', CreatedDate: 0 },
      };
    }
    if (operation === 'PutSecretValue' && typeof input.SecretString === 'string') {
      this.secrets.set(id, input.SecretString);
      return { status: 200, body: { ARN: id, Name: id, VersionId: 'local' } };
    }
    return {
      status: 400,
      body: { __type: 'InvalidRequestException', message: `${operation} is not emulated` },
    };
  }
}
