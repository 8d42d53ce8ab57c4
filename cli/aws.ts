import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';

/** How the command reaches AWS: `--profile`/`--region` as the AWS CLI takes them, and the environment. */
export interface AwsSettings {
  profile?: string;
  region?: string;
  env: Record<string, string | undefined>;
}

/** Settings every client takes. */
interface ClientConfig {
  region?: string;
  profile?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
}

/**
 * The AWS clients of one run, made when first used. Region: `--region`, else `AWS_REGION` /
 * `AWS_DEFAULT_REGION` (or the profile's), else the deployment's own region once it is known.
 * Endpoints: `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` of the given environment, as the AWS
 * CLI reads them (the local runtime points them at its stand-ins).
 */
export class AwsClients {
  private region?: string;
  private readonly made = new Map<string, unknown>();

  constructor(private readonly settings: AwsSettings) {
    this.region = settings.region ?? settings.env.AWS_REGION ?? settings.env.AWS_DEFAULT_REGION;
  }

  /** The region the clients use, when one is known. */
  get currentRegion(): string | undefined {
    return this.region;
  }

  /** Uses the deployment's region when neither `--region` nor the environment named one. */
  defaultRegion(region: string | undefined): void {
    if (!this.region && region && this.made.size === 0) this.region = region;
  }

  cloudFormation(): CloudFormationClient {
    return this.client('CLOUDFORMATION', (c) => new CloudFormationClient(c));
  }
  dynamodb(): DynamoDBClient {
    return this.client('DYNAMODB', (c) => new DynamoDBClient(c));
  }
  sfn(): SFNClient {
    return this.client('SFN', (c) => new SFNClient(c));
  }
  secretsManager(): SecretsManagerClient {
    return this.client('SECRETS_MANAGER', (c) => new SecretsManagerClient(c));
  }
  s3(): S3Client {
    return this.client('S3', (c) => new S3Client({ ...c, forcePathStyle: c.endpoint !== undefined }));
  }
  sqs(): SQSClient {
    return this.client('SQS', (c) => new SQSClient(c));
  }
  eventBridge(): EventBridgeClient {
    return this.client('EVENTBRIDGE', (c) => new EventBridgeClient(c));
  }
  iam(): IAMClient {
    return this.client('IAM', (c) => new IAMClient(c));
  }

  private client<T>(service: string, make: (config: ClientConfig) => T): T {
    const known = this.made.get(service);
    if (known) return known as T;
    const { env, profile } = this.settings;
    const endpoint = env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
    const keys =
      !profile && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
          }
        : undefined;
    const client = make({
      ...(this.region ? { region: this.region } : {}),
      ...(profile ? { profile } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(keys ? { credentials: keys } : {}),
      maxAttempts: 3,
    });
    this.made.set(service, client);
    return client;
  }
}

/** An AWS error as one line: its name and message (AWS errors never carry secret values). */
export function describeAwsError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const name = error.name === 'Error' && typeof code === 'string' ? code : error.name;
  return error.message && error.message !== name ? `${name}: ${error.message}` : name;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']);
const NOT_THERE = new Set(['NotImplemented', 'InvalidAction', 'UnknownOperationException']);

/**
 * Whether an AWS call failed because the service could not be asked — unreachable, or not there
 * (a local runtime without a stand-in for it) — rather than because of what it answered.
 */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, $metadata, cause } = error as {
    code?: unknown;
    $metadata?: { httpStatusCode?: number };
    cause?: unknown;
  };
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  if (NOT_THERE.has(error.name) || error.name === 'TimeoutError') return true;
  if ($metadata?.httpStatusCode === 501) return true;
  return cause !== undefined && cause !== error && isUnavailable(cause);
}

/** Whether AWS refused the call for want of permission. */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(error.name);
}
