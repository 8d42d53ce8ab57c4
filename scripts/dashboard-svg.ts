import type { DashboardDefinition, DashboardMetric, DashboardWidget } from './dashboard-body';

/** Where the picture of the stack's dashboard goes, from the repository root; docs/operations.md shows it. */
export const DASHBOARD_PICTURE = 'docs/images/dashboard.svg';

/** The caption of that picture: what it is, and what it is not. */
export const DASHBOARD_CAPTION =
  'A rendering of the synthesized dashboard definition (default configuration, quiet trigger): layout, titles and metric labels. Not a screenshot: no data.';

/** Pixels of one of the 24 grid columns, of one grid row, and of the caption above the grid. */
export const GRID = { column: 50, row: 26, caption: 56 } as const;
const { column: COLUMN, row: ROW, caption: CAPTION } = GRID;
const LINE = 15;
const CHAR = 6.2;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The text fitted into a width of pixels, cut with an ellipsis. */
function clip(text: string, pixels: number): string {
  const max = Math.max(1, Math.floor(pixels / CHAR));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Markdown of a text widget as plain text: `# T`, `**[link](url)**` → `T`, `link`. */
function plainMarkdown(markdown: string): string {
  return markdown
    .split('\n')[0]
    ?.replace(/^#+\s*/, '')
    .replace(/\*\*/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim() as string;
}

/** What a graph shows of a metric: its label without CloudWatch's `${AVG}`-style additions. */
function metricLabel(m: DashboardMetric): string {
  const label = (m.label ?? '').replace(/\s*\([^)]*\$\{[A-Z]+\}[^)]*\)/g, '').trim();
  if (label) return label;
  if (m.expression?.startsWith('SEARCH(')) return 'search: one line per metric found';
  if (m.expression) return m.expression;
  return [m.name, m.stat].filter(Boolean).join(' ');
}

function widgetSvg(w: DashboardWidget): string {
  const x = w.x * COLUMN;
  const y = CAPTION + w.y * ROW;
  const width = w.width * COLUMN;
  const height = w.height * ROW;
  const box = `<rect x="${x + 2}" y="${y + 2}" width="${width - 4}" height="${height - 4}" rx="4"`;
  if (w.type === 'text') {
    const heading = (w.markdown ?? '').startsWith('# ');
    return [
      `${box} fill="${heading ? '#232f3e' : '#eaeded'}"/>`,
      `<text x="${x + 10}" y="${y + height / 2 + 5}" ${FONT} font-size="${heading ? 15 : 13}" font-weight="bold" fill="${heading ? '#ffffff' : '#16191f'}">${escapeXml(clip(plainMarkdown(w.markdown ?? ''), width - 20))}</text>`,
    ].join('\n');
  }
  const shown = w.metrics.filter((m) => m.visible !== false);
  const room = Math.max(0, Math.floor((height - 34) / LINE));
  const lines = shown.length > room ? [...shown.slice(0, room - 1), undefined] : shown;
  const labels = lines.map((m, i) => {
    const ly = y + 40 + i * LINE;
    if (!m)
      return `<text x="${x + 12}" y="${ly}" ${FONT} font-size="11" fill="#545b64">+${shown.length - room + 1} more</text>`;
    return [
      `<rect x="${x + 12}" y="${ly - 6}" width="12" height="3" fill="${m.color ?? '#879596'}"/>`,
      `<text x="${x + 30}" y="${ly}" ${FONT} font-size="11" fill="#16191f">${escapeXml(clip(metricLabel(m), width - 40))}</text>`,
    ].join('');
  });
  return [
    `${box} fill="#ffffff" stroke="#aab7b8"/>`,
    `<text x="${x + 10}" y="${y + 20}" ${FONT} font-size="12" font-weight="bold" fill="#16191f">${escapeXml(clip(w.title, width - 20))}</text>`,
    ...labels,
  ].join('\n');
}

/**
 * The dashboard's layout as an SVG picture: every widget's box where the definition puts it on the
 * 24-column grid, with its title and the labels of the metrics it draws (hidden ones, the inputs of
 * an expression, left out). A rendering of the definition, not of data: the caption says so.
 */
export function renderDashboardSvg(dashboard: DashboardDefinition, caption: string): string {
  const rows = Math.max(0, ...dashboard.widgets.map((w) => w.y + w.height));
  const width = 24 * COLUMN;
  const height = CAPTION + rows * ROW + 4;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="title">`,
    `<title id="title">${escapeXml(`Layout of the dashboard ${dashboard.name}. ${caption}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
    `<text x="8" y="22" ${FONT} font-size="16" font-weight="bold" fill="#16191f">${escapeXml(`Dashboard ${dashboard.name}`)}</text>`,
    `<text x="8" y="42" ${FONT} font-size="12" font-style="italic" fill="#545b64">${escapeXml(caption)}</text>`,
    ...dashboard.widgets.map(widgetSvg),
    '</svg>',
    '',
  ].join('\n');
}
