import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The context key under which a `VisualLayerIngestion` hands its name to the constructs inside it. */
export const DEPLOYMENT_NAME_CONTEXT = 'vl-ingest:deploymentName';

/**
 * The name of the deployment a construct belongs to: the `name` of the `VisualLayerIngestion` it is
 * in, which defaults to its stack's name (the app's one deployment per stack). It names the
 * dashboard, the alarms and the alarm topic, and is the `service` of the functions' metrics, so two
 * deployments in one account (or one stack) never share them.
 */
export function deploymentName(scope: IConstruct): string {
  const name: unknown = scope.node.tryGetContext(DEPLOYMENT_NAME_CONTEXT);
  return typeof name === 'string' ? name : Stack.of(scope).stackName;
}
