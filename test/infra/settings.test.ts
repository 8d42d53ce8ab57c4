import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOUSE_VARIABLES, REPO_ROOT } from '../../infra/constructs/pipeline-function';
import {
  FUNCTION_SETTINGS,
  type HandlerName,
  readSettings,
  settingVariables,
  writeSettings,
} from '../../lambdas/shared/settings';
import type { SynthesizedApp } from '../../local/aws/cloud-assembly';
import { useSynthesizedApp } from '../support/synth';

/** Each function of a template: its handler folder (kebab case of its construct id) and environment. */
function functionsOf(app: SynthesizedApp): { handler: string; env: Record<string, unknown> }[] {
  return Object.values(app.template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const constructId = String(r.Metadata?.['aws:cdk:path']).split('/').at(-2) ?? '';
      const handler = constructId.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase();
      const environment = r.Properties?.Environment as { Variables: Record<string, unknown> } | undefined;
      const env = environment?.Variables ?? {};
      return { handler, env };
    });
}

/** What a deployed function would see: intrinsics (table names, ARNs) resolved to some text. */
function deployed(env: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-${k}`]),
  );
}

const LAMBDAS = path.join(REPO_ROOT, 'lambdas');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

describe('settings: what the stack writes is exactly what the handlers read', () => {
  for (const trigger of ['quiet', 'marker']) {
    const app = useSynthesizedApp({ trigger });

    it(`${trigger} trigger: every function's environment is its settings plus the house variables`, () => {
      const functions = functionsOf(app());
      expect(functions.length).toBeGreaterThan(0);
      for (const { handler, env } of functions) {
        expect(Object.keys(FUNCTION_SETTINGS), handler).toContain(handler);
        const written = Object.keys(env).filter((k) => !HOUSE_VARIABLES.includes(k));
        expect(written.sort(), handler).toEqual(settingVariables(handler as HandlerName).sort());
        expect(() => readSettings(handler as HandlerName, deployed(env)), handler).not.toThrow();
      }
    });
  }

  it('handlers read their environment only through readSettings, each under its own name', () => {
    for (const file of sourcesUnder(LAMBDAS)) {
      const source = readFileSync(file, 'utf8');
      const reads = source.match(/process\.env\b/g) ?? [];
      const throughSettings = source.match(/readSettings\('[a-z-]+', process\.env\)/g) ?? [];
      expect(reads.length, path.relative(REPO_ROOT, file)).toBe(throughSettings.length);
    }
    for (const handler of Object.keys(FUNCTION_SETTINGS)) {
      const source = readFileSync(path.join(LAMBDAS, handler, 'handler.ts'), 'utf8');
      expect(source, handler).toContain(`readSettings('${handler}', process.env)`);
    }
  });

  it('round-trips values and names the variable that is missing or malformed', () => {
    const values = {
      visualLayer: { baseUrl: 'https://vl.example', secretId: 'arn:secret', requestTimeoutMs: 20_000 },
      polling: { minSeconds: 30, maxSeconds: 300, maxWaitMinutes: 0.5 },
    };
    const env = writeSettings('check-status', values);
    expect(readSettings('check-status', env)).toEqual(values);
    expect(() => readSettings('check-status', { ...env, MAX_WAIT_MINUTES: undefined })).toThrow(
      /MAX_WAIT_MINUTES=null is invalid/,
    );
    expect(() => readSettings('check-status', { ...env, POLL_INTERVAL_SECONDS: '1.5' })).toThrow(
      /POLL_INTERVAL_SECONDS="1.5" is invalid: expected a whole number/,
    );
    const rules = {
      prefix: '',
      folderDepth: 1,
      trigger: 'quiet',
      markerName: '_READY',
      datasetNamePrefix: '',
      bucketName: 'acme-vision-drops',
    };
    expect(
      readSettings('plan-folder', writeSettings('plan-folder', { folderRules: rules as never })),
    ).toEqual({
      folderRules: rules,
    });
    expect(() =>
      readSettings('plan-folder', {
        ...writeSettings('plan-folder', { folderRules: rules as never }),
        TRIGGER: 'x',
      }),
    ).toThrow(/TRIGGER="x" is invalid: expected one of quiet, marker/);
  });
});
