import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import {
  appTemplate,
  PINNED_DEPLOYMENTS,
  pinnedGraphFile,
  resourceGraph,
} from '../test/support/resource-graph';

/**
 * Records the resource graph of each pinned deployment of the app into test/fixtures, for
 * test/infra/resource-graph.test.ts. Run it (`npx tsx scripts/capture-resource-graph.ts`) only when
 * the template is meant to change, and commit the fixtures with the change that moved them.
 */
const files: string[] = [];
for (const [name, context] of Object.entries(PINNED_DEPLOYMENTS)) {
  const graph = resourceGraph(appTemplate(context));
  files.push(pinnedGraphFile(name));
  writeFileSync(pinnedGraphFile(name), `${JSON.stringify(graph, null, 2)}\n`);
  process.stdout.write(`${name}: ${Object.keys(graph.resources as object).length} resources\n`);
}
// Written the way the lint expects them.
execFileSync('npx', ['biome', 'format', '--write', ...files], { stdio: 'inherit' });
