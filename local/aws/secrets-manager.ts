import { type JsonReply, LocalJsonService } from './json-service';

/**
 * A loopback stand-in for the two Secrets Manager calls the pipeline and its operators make
 * (`GetSecretValue`, `PutSecretValue`), so the real AWS SDK (through Powertools `getSecret`) talks
 * to it unchanged via `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
 */
export class LocalSecretsManager extends LocalJsonService {
  private readonly secrets = new Map<string, string>();
  /** Number of `GetSecretValue` calls served: shows caching and re-reads. */
  reads = 0;

  constructor() {
    super('application/x-amz-json-1.1');
  }

  /** Stores a value under an ARN or name. */
  setSecret(id: string, value: string): void {
    this.secrets.set(id, value);
  }

  protected operate(operation: string, input: { SecretId?: unknown; SecretString?: unknown }): JsonReply {
    const id = String(input.SecretId ?? '');
    if (operation === 'GetSecretValue') {
      this.reads += 1;
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
