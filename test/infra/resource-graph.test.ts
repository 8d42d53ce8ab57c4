import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appTemplate, PINNED_DEPLOYMENTS, pinnedGraphFile, resourceGraph } from '../support/resource-graph';

/**
 * The app's template is pinned per deployment in test/fixtures/resource-graph.*.json: every resource
 * by logical id, with its type, properties and dependencies, and every output. A reshaping of the CDK
 * code (the app becoming one consumer of the VisualLayerIngestion construct) must deploy the same
 * graph: same logical ids, so CloudFormation replaces nothing. A change of the template on purpose
 * re-records the fixtures (scripts/capture-resource-graph.ts) in the same commit.
 */
describe('resource graph of the app', () => {
  it.each(Object.keys(PINNED_DEPLOYMENTS))(
    '%s: resources, properties and outputs are the pinned ones',
    (name) => {
      const pinned = JSON.parse(readFileSync(pinnedGraphFile(name), 'utf8')) as {
        resources: Record<string, unknown>;
      };
      const graph = resourceGraph(appTemplate(PINNED_DEPLOYMENTS[name] ?? {}));
      expect(Object.keys(graph.resources as object)).toEqual(Object.keys(pinned.resources));
      expect(graph).toEqual(pinned);
    },
  );
});
