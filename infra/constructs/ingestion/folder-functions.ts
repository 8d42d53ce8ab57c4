import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { SettingsOf } from '../../../lambdas/shared/settings';
import { type FunctionPlacement, PipelineFunction } from '../pipeline-function';
import type { VisualLayerIngestionProps } from './props';

/** What the functions every folder goes through are given. */
export interface FolderFunctionsProps {
  readonly folderRules: SettingsOf<'plan-folder'>['folderRules'];
  readonly visualLayer: SettingsOf<'create-dataset'>['visualLayer'];
  readonly polling: SettingsOf<'create-dataset'>['polling'];
  readonly records: ITable;
  readonly secret: ISecret;
  readonly logKey: IKey;
  /** Where the functions that call Visual Layer run. @default outside any VPC */
  readonly placement?: FunctionPlacement;
}

/**
 * The functions every folder goes through, made in `scope` (their ids are part of the logical ids):
 * plan (names the folder), create (its dataset) and status (reads it and decides the next poll). Only
 * the last two call Visual Layer: they read the secret, and run in the VPC when there is one.
 */
export function folderFunctions(scope: Construct, props: FolderFunctionsProps) {
  const { visualLayer, polling, records, logKey, placement } = props;
  const planFunction = new PipelineFunction(scope, 'PlanFolder', {
    handler: 'plan-folder',
    settings: { folderRules: props.folderRules },
    logKey,
    description: 'vl-ingest: decodes an S3 object key and names its dataset folder',
  });
  const createFunction = new PipelineFunction(scope, 'CreateDataset', {
    handler: 'create-dataset',
    settings: { visualLayer, records: { recordsTable: records.tableName }, polling },
    logKey,
    placement,
    description: 'vl-ingest: creates the Visual Layer dataset of a folder',
    timeout: Duration.seconds(90),
  });
  const statusFunction = new PipelineFunction(scope, 'CheckStatus', {
    handler: 'check-status',
    settings: { visualLayer, polling },
    logKey,
    placement,
    description: 'vl-ingest: reads a Visual Layer dataset status and decides the next poll',
    timeout: Duration.seconds(60),
  });
  props.secret.grantRead(createFunction);
  // A folder claimed again after its execution was lost resumes the dataset its record holds.
  createFunction.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [records.tableArn] }),
  );
  props.secret.grantRead(statusFunction);
  return { planFunction, createFunction, statusFunction };
}

/**
 * Where the functions that call Visual Layer run: nowhere special, or `vpcSubnets` of `vpc` with the
 * given security groups, or one new group that allows all outbound traffic (they only call out).
 */
export function visualLayerPlacement(
  scope: Construct,
  props: Pick<VisualLayerIngestionProps, 'vpc' | 'vpcSubnets' | 'securityGroups'>,
): FunctionPlacement | undefined {
  const { vpc } = props;
  if (!vpc) return undefined;
  const securityGroups = props.securityGroups ?? [
    new SecurityGroup(scope, 'VisualLayerClients', {
      vpc,
      allowAllOutbound: true,
      description: 'vl-ingest: the functions that call Visual Layer (outbound only)',
    }),
  ];
  return { vpc, vpcSubnets: props.vpcSubnets, securityGroups };
}
