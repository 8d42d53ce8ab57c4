import { createRequire } from 'node:module';
import * as path from 'node:path';

/** A function's handler as the Node.js runtime calls it. */
type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

/** The error shape Lambda returns for a failed invocation (`FunctionError: Unhandled`). */
export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/**
 * An error thrown by a failed invocation, shaped as Step Functions sees a Lambda error: `name` is
 * the function's `errorType`, `message` is the JSON error payload (Step Functions' `Cause`).
 */
export class LambdaFunctionError extends Error {
  constructor(readonly payload: LambdaErrorPayload) {
    super(JSON.stringify(payload));
    this.name = payload.errorType;
  }
}

const requireNative = createRequire(__filename);

/**
 * Runs a bundled function in this process, the way the Lambda Node.js runtime would: loads the
 * asset's `index.js` with the function's environment set (a fresh module instance, so its cold
 * start runs again), calls `handler(event, context)` and turns a throw into Lambda's error payload.
 */
export class LocalLambda {
  private handler?: Handler;
  /** Invocations made, for counting. */
  invocations = 0;

  constructor(
    readonly name: string,
    private readonly assetDir: string,
    private readonly environment: Record<string, string>,
  ) {}

  /** Loads the bundle under its environment. Call after the environment's servers are up. */
  load(): void {
    Object.assign(process.env, this.environment);
    const file = path.join(this.assetDir, 'index.js');
    delete requireNative.cache[file];
    const mod = requireNative(file) as { handler?: Handler };
    if (typeof mod.handler !== 'function') throw new Error(`${this.name}: ${file} exports no handler`);
    this.handler = mod.handler;
  }

  /** Invokes like `lambda:invoke` through Step Functions: `{StatusCode, Payload}`, or a {@link LambdaFunctionError}. */
  async invoke(payload: unknown): Promise<{ StatusCode: number; Payload: unknown }> {
    if (!this.handler) this.load();
    const handler = this.handler as Handler;
    this.invocations += 1;
    // The event crosses a JSON boundary in Lambda; so it does here.
    const event = JSON.parse(JSON.stringify(payload ?? null));
    try {
      const result = await handler(event, {
        functionName: this.name,
        awsRequestId: `local-${this.invocations}`,
      });
      return { StatusCode: 200, Payload: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      throw new LambdaFunctionError({
        errorType: e.name || 'Error',
        errorMessage: e.message,
        trace: (e.stack ?? '').split('\n'),
      });
    }
  }
}
