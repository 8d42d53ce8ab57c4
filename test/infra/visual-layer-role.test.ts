import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { VisualLayerReadRole } from '../../infra/constructs/visual-layer-read-role';
import { templateWithoutBundling } from '../support/synth';

const VISUAL_LAYER = '027730031917';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown; Principal?: unknown };

/** The roles of a template that Visual Layer's account may assume, by logical id. */
function visualLayerRoles(template: Template): Record<string, Resource> {
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::IAM::Role') as Record<string, Resource>).filter(([, role]) =>
      JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes(VISUAL_LAYER),
    ),
  );
}

/** The grants on the manifests bucket: append batches hand Visual Layer a manifest there. */
function manifestGrants(template: Template): string[] {
  const id = Object.keys(template.findResources('AWS::S3::Bucket')).find((x) => x.includes('Manifests'));
  const bucket = { 'Fn::GetAtt': [id, 'Arn'] };
  const objects = { 'Fn::Join': ['', [bucket, '/*']] };
  return [
    `s3:GetObject ${JSON.stringify(objects)}`,
    `s3:GetObjectVersion ${JSON.stringify(objects)}`,
    `s3:GetBucketLocation ${JSON.stringify(bucket)}`,
    `s3:ListBucket ${JSON.stringify(bucket)}`,
  ];
}

/** The one role Visual Layer may assume: its trust statements and "action resource" grants. */
function readRole(template: Template) {
  const roles = Object.entries(visualLayerRoles(template));
  expect(roles).toHaveLength(1);
  const [id, role] = roles[0] as [string, Resource];
  const statements = (Object.values(template.findResources('AWS::IAM::Policy')) as Resource[])
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: id }]))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const grants = statements
    .flatMap((st) =>
      [st.Action]
        .flat()
        .flatMap((action) => [st.Resource].flat().map((r) => `${action} ${JSON.stringify(r)}`)),
    )
    .sort();
  const trust = (role.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
  return { id, trust, statements, grants, managed: role.Properties.ManagedPolicyArns };
}

const visualLayerAccount = {
  AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${VISUAL_LAYER}:root`]] },
};
const literalArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${resource}`]],
});

describe('the Visual Layer read role', () => {
  it("lets Visual Layer's account read the objects of a new bucket and of the manifests, and list them, with nothing else", () => {
    const template = templateWithoutBundling();
    const role = readRole(template);
    expect(role.trust).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: visualLayerAccount },
    ]);
    expect(role.managed).toBeUndefined();
    const drops = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.includes('Drops'));
    const bucket = { 'Fn::GetAtt': [drops, 'Arn'] };
    const objects = { 'Fn::Join': ['', [bucket, '/*']] };
    expect(role.grants).toEqual(
      [
        `s3:GetObject ${JSON.stringify(objects)}`,
        `s3:GetObjectVersion ${JSON.stringify(objects)}`,
        `s3:GetBucketLocation ${JSON.stringify(bucket)}`,
        `s3:ListBucket ${JSON.stringify(bucket)}`,
        ...manifestGrants(template),
      ].sort(),
    );
    expect(template.findOutputs('VisualLayerReadRoleArn').VisualLayerReadRoleArn?.Value).toEqual({
      'Fn::GetAtt': [role.id, 'Arn'],
    });
  });

  it('requires the external id, reads only the watched prefix of an existing bucket, and decrypts with its key through S3', () => {
    const template = templateWithoutBundling({
      bucketName: 'acme-cams',
      prefix: 'cams/',
      visualLayerExternalId: 'acme-7f3c',
      bucketKmsKeyArn: KEY,
    });
    const role = readRole(template);
    expect(role.trust).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: visualLayerAccount,
        Condition: { StringEquals: { 'sts:ExternalId': 'acme-7f3c' } },
      },
    ]);
    const objects = JSON.stringify(literalArn('acme-cams/cams/*'));
    const bucket = JSON.stringify(literalArn('acme-cams'));
    expect(role.grants).toEqual(
      [
        `s3:GetObject ${objects}`,
        `s3:GetObjectVersion ${objects}`,
        `s3:GetBucketLocation ${bucket}`,
        `s3:ListBucket ${bucket}`,
        `kms:Decrypt "${KEY}"`,
        ...manifestGrants(template),
      ].sort(),
    );
    const decrypt = role.statements.filter((st) => JSON.stringify(st.Action).includes('kms:'));
    expect(decrypt.map((st) => st.Condition)).toEqual([
      {
        StringEquals: {
          'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
        },
      },
    ]);
  });

  it('grants no KMS action without bucketKmsKeyArn', () => {
    const role = readRole(templateWithoutBundling({ bucketName: 'acme-cams', prefix: 'cams/' }));
    expect(role.grants.filter((grant) => grant.startsWith('kms:'))).toEqual([]);
    expect(
      role.grants.every((grant) =>
        /^s3:(GetObject|GetObjectVersion|ListBucket|GetBucketLocation) /.test(grant),
      ),
    ).toBe(true);
  });

  it.each([
    ['a new bucket', {}],
    ['an existing bucket', { bucketName: 'acme-cams' }],
  ])('is not created for %s with visualLayerAccess=none, nor output', (_name, context) => {
    const template = templateWithoutBundling({ ...context, visualLayerAccess: 'none' });
    expect(visualLayerRoles(template)).toEqual({});
    expect(Object.keys(template.findOutputs('*'))).not.toContain('VisualLayerReadRoleArn');
  });

  it('reads every location it is given, such as a second bucket added later', () => {
    const stack = new Stack();
    const drops = Bucket.fromBucketName(stack, 'Drops', 'acme-cams');
    const manifests = Bucket.fromBucketName(stack, 'Manifests', 'acme-manifests');
    const read = new VisualLayerReadRole(stack, 'Read', { locations: [{ bucket: drops, prefix: 'cams/' }] });
    read.addLocation({ bucket: manifests, prefix: '' });
    const grants = readRole(Template.fromStack(stack)).grants;
    for (const [objects, bucket] of [
      ['acme-cams/cams/*', 'acme-cams'],
      ['acme-manifests/*', 'acme-manifests'],
    ] as const) {
      expect(grants).toContain(`s3:GetObject ${JSON.stringify(literalArn(objects))}`);
      expect(grants).toContain(`s3:ListBucket ${JSON.stringify(literalArn(bucket))}`);
    }
    expect(grants).toHaveLength(8);
  });
});
