import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../infra/config';

const parse = (context: Record<string, unknown>) => parseConfig((key) => context[key], Object.keys(context));

describe('parseConfig', () => {
  it('takes every default when nothing is set', () => {
    expect(parse({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toMatchObject({
      prefix: '',
      folderDepth: 1,
      trigger: 'quiet',
      quietSeconds: 60,
      markerName: '_READY',
      pollIntervalSeconds: 30,
      maxPollIntervalSeconds: 300,
      maxWaitMinutes: 1440,
      visualLayerBaseUrl: 'https://app.visual-layer.com',
      datasetNamePrefix: '',
      visualLayerAccess: 'role',
      stackName: 'VlIngest',
      lateObjects: 'append',
      reindex: 'auto',
    });
  });

  it('reads strings from -c key=value and numbers from cdk.json alike', () => {
    const config = parse({
      bucketName: 'acme-vision-drops',
      prefix: 'incoming',
      folderDepth: '2',
      trigger: 'marker',
      quietSeconds: 120,
      markerName: 'DONE',
      pollIntervalSeconds: '10',
      maxPollIntervalSeconds: '60',
      maxWaitMinutes: '0.5',
      visualLayerBaseUrl: 'http://vl.internal:2080/',
      secretName: 'vl/credentials',
      datasetNamePrefix: 'prod-',
      alarmEmail: 'ops@example.com',
      visualLayerAccess: 'role',
      visualLayerExternalId: 'acme-7f3c',
      bucketKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      stackName: 'VlIngestCams',
      maxConcurrentDatasets: '0',
      lateObjects: 'ignore',
      reindex: 'manual',
    });
    expect(config).toEqual({
      bucketName: 'acme-vision-drops',
      prefix: 'incoming/',
      folderDepth: 2,
      trigger: 'marker',
      quietSeconds: 120,
      markerName: 'DONE',
      pollIntervalSeconds: 10,
      maxPollIntervalSeconds: 60,
      maxWaitMinutes: 0.5,
      visualLayerBaseUrl: 'http://vl.internal:2080',
      secretName: 'vl/credentials',
      datasetNamePrefix: 'prod-',
      alarmEmail: 'ops@example.com',
      visualLayerAccess: 'role',
      visualLayerExternalId: 'acme-7f3c',
      bucketKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      stackName: 'VlIngestCams',
      maxConcurrentDatasets: 0,
      lateObjects: 'ignore',
      reindex: 'manual',
    });
  });

  it.each([
    ['bucketName', 'Acme_Bucket', /bucketName="Acme_Bucket" is invalid: expected an S3 bucket name/],
    ['prefix', '/incoming', /prefix="\/incoming" is invalid/],
    ['prefix', `${'ä'.repeat(100)}/`, /at most 500 characters once URL-encoded/],
    ['folderDepth', '0', /folderDepth="0" is invalid: expected a whole number from 1 to 10/],
    ['folderDepth', '1.5', /folderDepth="1.5".*whole number/],
    ['trigger', 'immediate', /trigger="immediate" is invalid: expected one of "quiet", "marker"/],
    ['quietSeconds', 'soon', /quietSeconds="soon"/],
    ['markerName', 'a/b', /markerName="a\/b" is invalid: expected a file name without "\/"/],
    ['pollIntervalSeconds', -5, /pollIntervalSeconds=-5/],
    ['maxWaitMinutes', '0', /maxWaitMinutes="0" is invalid: expected a number above 0/],
    [
      'visualLayerBaseUrl',
      'ftp://vl',
      /visualLayerBaseUrl="ftp:\/\/vl" is invalid: expected an http\(s\) URL/,
    ],
    ['visualLayerBaseUrl', 'https://user:pw@vl', /visualLayerBaseUrl/],
    ['secretName', 'has space', /secretName="has space"/],
    ['datasetNamePrefix', 'x'.repeat(51), /datasetNamePrefix/],
    ['alarmEmail', 'not-an-email', /alarmEmail="not-an-email" is invalid: expected an e-mail address/],
    ['visualLayerAccess', 'read', /visualLayerAccess="read" is invalid: expected one of "role", "none"/],
    ['visualLayerExternalId', 'a b', /visualLayerExternalId="a b" is invalid: expected 2-1224 letters/],
    [
      'bucketKmsKeyArn',
      'arn:aws:kms:eu-west-1:123456789012:alias/drops',
      /bucketKmsKeyArn=".*alias\/drops" is invalid: expected a KMS key ARN, arn:<partition>:kms:<region>:<account>:key\/<key id>/,
    ],
    ['bucketKmsKeyArn', '1234abcd-12ab-34cd-56ef-1234567890ab', /bucketKmsKeyArn=.* is invalid/],
    ['stackName', 'vl_ingest', /stackName="vl_ingest" is invalid: expected a CloudFormation stack name/],
    ['stackName', '2cams', /stackName="2cams" is invalid/],
    ['stackName', `V${'l'.repeat(128)}`, /stackName="Vl+" is invalid/],
    [
      'maxConcurrentDatasets',
      '-1',
      /maxConcurrentDatasets="-1" is invalid: expected a whole number from 0 to 1000/,
    ],
    ['maxConcurrentDatasets', '2.5', /maxConcurrentDatasets="2.5".*whole number/],
    ['lateObjects', 'drop', /lateObjects="drop" is invalid: expected one of "append", "ignore"/],
    ['reindex', 'never', /reindex="never" is invalid: expected one of "auto", "manual"/],
  ])('rejects %s=%j with a message naming key, value and what is allowed', (key, value, message) => {
    expect(() => parse({ [key]: value })).toThrowError(ConfigError);
    expect(() => parse({ [key]: value })).toThrowError(message);
  });

  it.each([
    ['Trigger', 'marker', 'trigger'],
    ['quietsecond', '5', 'quietSeconds'],
    ['folderdepth', '2', 'folderDepth'],
    ['bucket', 'acme-vision-drops', 'bucketName'],
    ['visualLayerBaseURL', 'http://vl', 'visualLayerBaseUrl'],
  ])('refuses the look-alike key %s=%j, naming the key it resembles', (key, value, meant) => {
    expect(() => parse({ [key]: value })).toThrowError(
      `${key}=${JSON.stringify(value)} is not a vl-ingest setting: did you mean ${meant}?`,
    );
  });

  it("ignores CDK's own context keys and keys that resemble no setting", () => {
    expect(
      parse({
        '@aws-cdk/core:checkSecretUsage': true,
        'aws:cdk:enable-path-metadata': true,
        'aws:cdk:bundling-stacks': ['**'],
        'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'],
        'cli-telemetry': false,
        'acknowledged-issue-numbers': [32775],
        team: 'vision',
      }),
    ).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    'https://app.visual-layer.com/api/v1',
    'https://app.visual-layer.com/api/v1/',
    'http://vl.internal:2080/api/v1',
  ])('refuses visualLayerBaseUrl=%s, saying to drop /api/v1', (url) => {
    expect(() => parse({ visualLayerBaseUrl: url })).toThrowError(
      `visualLayerBaseUrl=${JSON.stringify(url)} is invalid: drop the trailing /api/v1`,
    );
  });

  it('refuses a secret ARN without its 6-character suffix, suggesting the name or the full ARN', () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl/creds';
    expect(() => parse({ secretName: arn })).toThrowError(
      `secretName="${arn}" is invalid: expected the secret's name ("vl/creds"), or its full ARN ` +
        'arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-XXXXXX',
    );
    expect(() =>
      parse({ secretName: 'arn:aws:secretsmanager:eu-west-1:secret:vl/creds-a1B2c3' }),
    ).toThrowError(/secretName=/);
  });

  it('accepts a secret by name or by its full ARN', () => {
    const arn = 'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:vl/creds-a1B2c3';
    expect(parse({ secretName: arn }).secretName).toBe(arn);
    expect(parse({ secretName: 'vl/creds' }).secretName).toBe('vl/creds');
  });

  it('accepts a multi-Region KMS key in any partition', () => {
    const arn = 'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    expect(parse({ bucketName: 'acme-vision-drops', bucketKmsKeyArn: arn }).bucketKmsKeyArn).toBe(arn);
  });

  it('refuses a bucket KMS key without bucketName: a bucket the stack creates uses S3 managed keys', () => {
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(() => parse({ bucketKmsKeyArn: arn })).toThrowError(
      `bucketKmsKeyArn="${arn}" is for an existing bucket (bucketName)`,
    );
  });

  it('refuses read-role settings with visualLayerAccess=none, where they would have no effect', () => {
    try {
      parse({
        visualLayerAccess: 'none',
        visualLayerExternalId: 'acme-7f3c',
        bucketName: 'acme-vision-drops',
        bucketKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^visualLayerExternalId="acme-7f3c" has no effect with visualLayerAccess=none/),
        expect.stringMatching(/^bucketKmsKeyArn=".*" has no effect with visualLayerAccess=none/),
      ]);
    }
    expect(parse({ visualLayerAccess: 'none' }).visualLayerAccess).toBe('none');
  });

  it('rejects a maximum poll interval below the first one', () => {
    expect(() => parse({ pollIntervalSeconds: 60, maxPollIntervalSeconds: 30 })).toThrowError(
      /maxPollIntervalSeconds=30 is below pollIntervalSeconds=60/,
    );
  });

  it('lists every problem at once', () => {
    try {
      parse({ folderDepth: 'x', trigger: 'y' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});
