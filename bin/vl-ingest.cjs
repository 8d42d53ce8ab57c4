#!/usr/bin/env node
// The `vl-ingest` command. The repository runs TypeScript through tsx: its register API compiles
// cli/main.ts and what it imports as they load. A package built to JavaScript runs cli/main.js instead.
require('tsx/cjs/api').register();
require('../cli/main.ts').main();
