import {
  TransientDependencyError,
  VisualLayerAuthError,
  VisualLayerResponseError,
  VisualLayerTransientError,
} from '../errors';

/**
 * What a status check's failure means for the poll loop. The state machine counts a
 * {@link VisualLayerTransientError} as a failed check (ten in a row end the attempt) and ends the
 * attempt on any other error. A check can fail in ways that say nothing about the dataset, which
 * goes on indexing meanwhile: an unusable answer (HTML from a proxy, an empty body, `{}`), an AWS
 * dependency throttled (reading the secret), credentials refused even after the secret was read
 * again (a rotation half done). Those become failed checks, keeping what happened in the message;
 * anything else is returned as it is.
 */
export function asFailedCheck(error: unknown): unknown {
  if (
    error instanceof VisualLayerResponseError ||
    error instanceof TransientDependencyError ||
    error instanceof VisualLayerAuthError
  ) {
    return new VisualLayerTransientError(
      `${error.message.replace(/\.$/, '')}; counted as a failed status check (the dataset may still be indexing)`,
    );
  }
  return error;
}
