import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigError, type IngestConfig, readConfig } from '../../config';
import { lookAlikeKeyProblems } from '../../context-keys';
import { STACK_NAME } from '../../context-parser';
import { INGESTION_PROPS, type VisualLayerIngestionProps } from './props';

type Prop = keyof VisualLayerIngestionProps;

/** Props of which at most one may be given, and why. */
const EITHER_OR: readonly [Prop, Prop, string][] = [
  ['bucket', 'bucketName', 'both name the bucket to watch'],
  ['credentials', 'secretName', 'both name the secret holding the credentials'],
  [
    'alarmTopic',
    'alarmEmail',
    'alarmEmail subscribes an address to the topic the construct creates; subscribe it to your own topic yourself',
  ],
];

/** Props that place the Visual Layer functions in a VPC: nothing without `vpc`. */
const ONLY_WITH_VPC: readonly Prop[] = ['vpcSubnets', 'securityGroups'];

/** A value as a problem shows it: a construct by its path (it may not even be serializable). */
function shown(value: unknown): unknown {
  if (Construct.isConstruct(value)) return `<${value.node.path}>`;
  return typeof value === 'object' && value !== null ? '<object>' : value;
}

/** The validated settings of a `VisualLayerIngestion` and the name of its deployment. */
export interface IngestionSettings {
  readonly config: IngestConfig;
  readonly name: string;
}

/**
 * Reads the props with the app's rules for its context keys (the same module: ranges, patterns,
 * defaults, look-alike keys), then the rules of props only: an existing resource or the settings of a
 * new one, never both; VPC settings only with a VPC; a name of its own per stack.
 *
 * @param namesTaken names of the other `VisualLayerIngestion`s of the stack.
 * @throws ConfigError naming every offending prop at once.
 */
export function ingestionSettings(
  scope: Construct,
  props: VisualLayerIngestionProps,
  namesTaken: readonly string[],
): IngestionSettings {
  const given = props as Record<string, unknown>;
  const problems = lookAlikeKeyProblems(Object.keys(given), INGESTION_PROPS, (key) => shown(given[key]));
  if ('stackName' in given) {
    problems.push(
      'stackName is not a prop: the stack is yours; `name` names the deployment (alarms, dashboard)',
    );
  }
  const config = readConfig((key) => (key === 'stackName' ? undefined : given[key]), problems, {
    given: props.bucket !== undefined,
    label: 'bucket or bucketName',
  });
  for (const [one, other, why] of EITHER_OR) {
    if (props[one] !== undefined && props[other] !== undefined) {
      problems.push(`${one} and ${other} exclude each other (${why}): give one of them`);
    }
  }
  for (const prop of ONLY_WITH_VPC) {
    if (props[prop] !== undefined && props.vpc === undefined) {
      problems.push(
        `${prop} places the Visual Layer functions in a VPC: give vpc as well, or leave ${prop} out`,
      );
    }
  }
  const name = props.name ?? Stack.of(scope).stackName;
  if (!STACK_NAME.test(name)) {
    problems.push(
      `name=${JSON.stringify(name)} is invalid: expected a letter, then letters, digits and "-" (at most 128 characters)`,
    );
  } else if (namesTaken.includes(name)) {
    problems.push(
      `name=${JSON.stringify(name)} is taken by another VisualLayerIngestion of this stack: their alarms and dashboards ` +
        'would collide; give each its own name',
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(problems, `Invalid VisualLayerIngestion props (${scope.node.path})`);
  }
  return { config, name };
}
