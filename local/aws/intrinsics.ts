import type { Template } from './cloud-assembly';

/** Account, region and partition the local runtime pretends to be in. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** The name a bucket created by the stack has locally (the sample event's bucket). */
export const LOCAL_BUCKET_NAME = 'acme-vision-drops';

/** The local stand-in ARN or name of a resource, by its logical id. */
export function localPhysicalId(template: Template, logicalId: string): string {
  const type = template.Resources[logicalId]?.Type;
  switch (type) {
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${logicalId}`;
    case 'AWS::S3::Bucket':
      // The drop bucket has the sample event's name; the stack's other buckets their own.
      return logicalId.includes('Drops') ? LOCAL_BUCKET_NAME : `local-${logicalId.toLowerCase()}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${LOCAL_ACCOUNT}:role/${logicalId}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${logicalId}`;
    default:
      return logicalId;
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'VlIngest',
};

/**
 * Resolves the CloudFormation intrinsics CDK emits in state machine definitions and function
 * environments (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Split`, `Fn::Select`) to local stand-ins.
 */
export function resolveIntrinsics(value: unknown, template: Template): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, template));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const [fn] = keys as [string];
    const arg = obj[fn];
    if (fn === 'Ref' && typeof arg === 'string') return PSEUDO[arg] ?? localPhysicalId(template, arg);
    if (fn === 'Fn::GetAtt' && Array.isArray(arg)) {
      const [id, attr] = arg as [string, string];
      if (attr === 'Arn') return localPhysicalId(template, id);
      return `${localPhysicalId(template, id)}:${attr}`;
    }
    if (fn === 'Fn::Join' && Array.isArray(arg)) {
      const [sep, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(resolveIntrinsics(p, template))).join(sep);
    }
    if (fn === 'Fn::Split' && Array.isArray(arg)) {
      const [sep, text] = arg as [string, unknown];
      return String(resolveIntrinsics(text, template)).split(sep);
    }
    if (fn === 'Fn::Select' && Array.isArray(arg)) {
      const [index, list] = arg as [number, unknown];
      const resolved = resolveIntrinsics(list, template) as unknown[];
      return resolved[Number(index)];
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(obj[k], template)]));
}
