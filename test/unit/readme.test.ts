import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, DEFAULT_CONFIG } from '../../infra/config';
import { INGESTION_PROPS } from '../../infra/constructs/ingestion/props';
import { EXECUTION_END_CODES, FAILURE_CODES } from '../../lambdas/shared/errors';
import { RECORD_ATTRIBUTES } from '../../lambdas/shared/record/folder-record';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const readme = read('README.md');
const operations = read('docs/operations.md');
const record = read('docs/record.md');
const construct = read('docs/construct.md');

/** Backticked names in the first cell of the rows of a markdown document's `## <title>` table. */
function tableNames(doc: string, title: string): string[] {
  const section = doc.split(/^## /m).find((s) => s.startsWith(`${title}\n`));
  if (!section) throw new Error(`no "## ${title}" section`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) => /^\| `(\w+)` /.exec(line)?.[1] ?? `not one name in backticks: ${line}`);
}

/** Names in the first cell of the rows of docs/record.md's "Attributes" table, in order. */
function recordTableAttributes(): string[] {
  const section = record.split(/^## /m).find((s) => s.startsWith('Attributes\n'));
  if (!section) throw new Error('docs/record.md has no "## Attributes" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2) // header and separator
    .map((line) => (line.split('|')[1] ?? '').trim())
    .map((cell) => /^`(\w+)`$/.exec(cell)?.[1] ?? `not one attribute in backticks: ${cell}`);
}

function configTable(): Map<string, string> {
  const rows = readme.split('\n').filter((line) => /^\| `\w+`\s+\|/.test(line));
  return new Map(
    rows.map((line) => {
      const [, key, def] = line.split('|').map((c) => c.trim());
      return [String(key).replace(/`/g, ''), String(def)];
    }),
  );
}

describe('README', () => {
  it('documents every configuration key with its real default', () => {
    const table = configTable();
    for (const key of CONFIG_KEYS) {
      expect(table.has(key), key).toBe(true);
      const value = DEFAULT_CONFIG[key];
      if (value !== undefined)
        expect(table.get(key), key).toBe(`\`${JSON.stringify(value).replace(/^"(.+)"$/, '$1')}\``);
      else expect(table.get(key), key).toMatch(/^\(/);
    }
  });
});

describe('the construct', () => {
  it('docs/construct.md has one row per prop of VisualLayerIngestion, in order, and no other', () => {
    expect(tableNames(construct, 'Props')).toEqual([...INGESTION_PROPS]);
  });

  it("the README's construct example is examples/existing-app/app.ts (which tsc and the package test run)", () => {
    const section = readme.split(/^## /m).find((s) => s.startsWith('Use it as a construct\n')) ?? '';
    const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBe(read('examples/existing-app/app.ts'));
  });
});

describe('docs/operations.md', () => {
  it('explains every failure code a record can carry', () => {
    const firstCells = operations
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => (line.split('|')[1] ?? '').split(',').map((c) => c.trim().replace(/`/g, '')));
    const codes = [...Object.values(FAILURE_CODES), ...Object.values(EXECUTION_END_CODES)];
    for (const code of [...new Set(codes), 'VL_ERROR', 'TIMED_OUT', 'INTERNAL']) {
      expect(firstCells, code).toContain(code);
    }
  });
});

describe('docs/record.md', () => {
  it('has one row per attribute of the record, and no other', () => {
    const rows = recordTableAttributes();
    const attributes = Object.keys(RECORD_ATTRIBUTES);
    expect(
      rows.filter((name, i) => rows.indexOf(name) !== i),
      'rows documented twice',
    ).toEqual([]);
    expect(
      attributes.filter((name) => !rows.includes(name)),
      'in RECORD_ATTRIBUTES, missing from the table',
    ).toEqual([]);
    expect(
      rows.filter((name) => !attributes.includes(name)),
      'in the table, not in RECORD_ATTRIBUTES',
    ).toEqual([]);
  });
});
