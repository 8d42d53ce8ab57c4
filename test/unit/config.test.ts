import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../infra/config';

const parse = (context: Record<string, unknown>) => parseConfig((key) => context[key]);

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
    ['lateObjects', 'drop', /lateObjects="drop" is invalid: expected one of "append", "ignore"/],
    ['reindex', 'never', /reindex="never" is invalid: expected one of "auto", "manual"/],
  ])('rejects %s=%j with a message naming key, value and what is allowed', (key, value, message) => {
    expect(() => parse({ [key]: value })).toThrowError(ConfigError);
    expect(() => parse({ [key]: value })).toThrowError(message);
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
