import { VisualLayerTransientError } from '../errors';

/** Which Visual Layer call a request made. */
export type VisualLayerOperation = 'create' | 'status' | 'list' | 'addMedia' | 'tasks';

/** One request to Visual Layer, as an observer (metrics) sees it: no URL, header or body. */
export interface VisualLayerExchange {
  /**
   * `create` (POST a dataset), `status` (GET one dataset), `list` (GET the datasets), `addMedia` (POST
   * add_media), `tasks` (GET the task manager's tasks).
   */
  operation: VisualLayerOperation;
  /** The HTTP status of the answer; undefined when none came (timeout, dropped connection). */
  status?: number;
  /** Milliseconds from sending the request to the answer's headers, or to giving up. */
  durationMs: number;
}

/** Told of every request a client sends; injected by the function that owns the client. */
export type ExchangeObserver = (exchange: VisualLayerExchange) => void;

/** Tells the observer, if any; an observer that throws never fails the request it observes. */
export function tellObserver(observer: ExchangeObserver | undefined, exchange: VisualLayerExchange): void {
  try {
    observer?.(exchange);
  } catch {
    // Metrics are a view of the work, not part of it.
  }
}

/**
 * A request that got no (complete) answer. Anything but a GET may have reached Visual Layer, so it
 * is marked ambiguous: the caller must look before posting again.
 */
export function networkError(
  error: unknown,
  action: string,
  method: string,
  timeoutMs: number,
): VisualLayerTransientError {
  const name = error instanceof Error ? error.name : '';
  const what =
    name === 'TimeoutError' || name === 'AbortError'
      ? `no answer within ${Math.round(timeoutMs / 1000)} s`
      : `connection failed (${describeCause(error)})`;
  return new VisualLayerTransientError(
    `Visual Layer could not be reached while ${action}: ${what}`,
    undefined,
    undefined,
    method !== 'GET',
  );
}

function describeCause(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.message : 'unknown error';
}
