import { afterEach } from 'vitest';
import type { SynthesizedApp } from '../../local/aws/cloud-assembly';
import { LocalPipeline, type LocalPipelineOptions } from '../../local/pipeline';

/**
 * Starts local pipelines on a test file's synthesized app, each stopped after its test.
 * Returns `start(options)`, which defaults to the given base options.
 */
export function usePipelines(
  app: () => SynthesizedApp,
  base: Omit<LocalPipelineOptions, 'app'> = {},
): (options?: Omit<LocalPipelineOptions, 'app'>) => Promise<LocalPipeline> {
  const started: LocalPipeline[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });
  return async (options = {}) => {
    const pipeline = await LocalPipeline.start({ ...base, ...options, app: app() });
    started.push(pipeline);
    return pipeline;
  };
}
