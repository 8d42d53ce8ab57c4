import type { LocalPipeline } from '../../local/pipeline';

/** One metric of one EMF line the functions wrote, as CloudWatch would read it. */
export interface EmittedMetric {
  namespace: string;
  name: string;
  unit: string;
  values: number[];
  dimensions: Record<string, unknown>;
}

interface EmfLine {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** Every metric the pipeline's functions emitted (the EMF lines among their captured output). */
export function emittedMetrics(p: LocalPipeline): EmittedMetric[] {
  return p.functionLogs
    .filter((line) => line.startsWith('{"_aws":'))
    .flatMap((line) => {
      const emf = JSON.parse(line) as EmfLine;
      return emf._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Metrics.map((m) => ({
          namespace: directive.Namespace,
          name: m.Name,
          unit: m.Unit,
          values: [emf[m.Name]].flat() as number[],
          dimensions: Object.fromEntries(directive.Dimensions.flat().map((d) => [d, emf[d]])),
        })),
      );
    });
}

/** The sum of every value of the named metric, as a Sum statistic would show it. */
export function metricTotal(p: LocalPipeline, name: string): number {
  return emittedMetrics(p)
    .filter((m) => m.name === name)
    .reduce((sum, m) => sum + m.values.reduce((a, b) => a + b, 0), 0);
}
