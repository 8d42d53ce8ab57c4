#!/usr/bin/env node
// The `vl-ingest` command. The repository runs TypeScript through tsx: importing it registers its
// hooks, which compile cli/main.ts and what it loads as it loads it (as `tsx file.ts` would). A package
// built to JavaScript runs cli/main.js instead.
import('tsx').then(() => require('../cli/main.ts').main());
