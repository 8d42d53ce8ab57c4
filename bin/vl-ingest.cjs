#!/usr/bin/env node
// The `vl-ingest` command. The repository runs TypeScript through tsx: importing it registers its
// hooks, which compile cli/main.ts and what it loads as it loads it (as `tsx file.ts` would). The
// packed library ships the construct, not the command: there, say so instead of failing on a module.
const { existsSync } = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'cli', 'main.ts');
if (!existsSync(main)) {
  process.stderr.write(
    'vl-ingest: this package is the VisualLayerIngestion construct library; the vl-ingest command runs ' +
      'from a clone of the vl-ingest repository (npm ci, then npx vl-ingest --help)\n',
  );
  process.exit(2);
}
import('tsx').then(() => require(main).main());
