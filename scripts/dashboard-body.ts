/**
 * Reads the CloudWatch dashboards of a synthesized template: the `DashboardBody` of each
 * `AWS::CloudWatch::Dashboard`, with the intrinsics CloudFormation resolves at deploy time written as
 * `${LogicalId}`, `${LogicalId.Attribute}` or `${AWS::Region}`. Used by `npm run docs:dashboard` and
 * by the infra tests.
 */

/** A metric of a graph: namespace, name, dimensions and its options (label, stat, …), or an expression. */
export interface DashboardMetric {
  namespace?: string;
  name?: string;
  dimensions: Record<string, string>;
  expression?: string;
  label?: string;
  stat?: string;
  color?: string;
  visible?: boolean;
}

/** One widget: where it sits on the 24-column grid, its title, its metrics (graphs) or text. */
export interface DashboardWidget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  metrics: DashboardMetric[];
  markdown?: string;
}

/** A dashboard: its name (as written in the template) and its widgets. */
export interface DashboardDefinition {
  logicalId: string;
  name: string;
  widgets: DashboardWidget[];
}

interface TemplateLike {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** An intrinsic as text: `{"Ref":"X"}` → `${X}`, `{"Fn::GetAtt":["X","Arn"]}` → `${X.Arn}`. */
function intrinsicText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref) return `\${${v.Ref}}`;
  if (v['Fn::GetAtt']) return `\${${v['Fn::GetAtt'].join('.')}}`;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(intrinsicText).join(v['Fn::Join'][0]);
  return '<intrinsic>';
}

/**
 * A metric array of a graph widget: `[ns, name, dim, value, …, {options}]` (`"."` repeats the part of
 * the metric before at the same position) or `[{expression, …}]`. Returns the metric and its parts.
 */
function readMetric(entry: unknown[], previous: string[]): { metric: DashboardMetric; parts: string[] } {
  const last = entry.at(-1);
  const options = (last && typeof last === 'object' ? last : {}) as Record<string, unknown>;
  const written = (options === last ? entry.slice(0, -1) : entry) as string[];
  const parts = written.map((part, i) => (part === '.' ? (previous[i] ?? part) : part));
  const metric: DashboardMetric = {
    dimensions: {},
    label: options.label as string | undefined,
    stat: options.stat as string | undefined,
    color: options.color as string | undefined,
    visible: options.visible as boolean | undefined,
  };
  if (typeof options.expression === 'string')
    return { metric: { ...metric, expression: options.expression }, parts };
  metric.namespace = parts[0];
  metric.name = parts[1];
  for (let i = 2; i + 1 < parts.length; i += 2) metric.dimensions[String(parts[i])] = String(parts[i + 1]);
  return { metric, parts };
}

/** Every dashboard of the template, its widgets in the order of the body. */
export function dashboardsOf(template: TemplateLike): DashboardDefinition[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Dashboard')
    .map(([logicalId, r]) => {
      const body = JSON.parse(intrinsicText(r.Properties?.DashboardBody)) as {
        widgets: {
          type: string;
          x: number;
          y: number;
          width: number;
          height: number;
          properties: Record<string, unknown>;
        }[];
      };
      const widgets = body.widgets.map((w) => {
        let previous: string[] = [];
        const metrics = ((w.properties.metrics as unknown[][] | undefined) ?? []).map((entry) => {
          const { metric, parts } = readMetric(entry, previous);
          previous = parts;
          return metric;
        });
        return {
          type: w.type,
          x: w.x,
          y: w.y,
          width: w.width,
          height: w.height,
          title: String(w.properties.title ?? ''),
          metrics,
          markdown: w.properties.markdown as string | undefined,
        };
      });
      return { logicalId, name: intrinsicText(r.Properties?.DashboardName ?? logicalId), widgets };
    });
}
