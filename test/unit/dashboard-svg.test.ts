import { describe, expect, it } from 'vitest';
import { type DashboardDefinition, dashboardsOf } from '../../scripts/dashboard-body';
import { GRID, renderDashboardSvg } from '../../scripts/dashboard-svg';

describe('dashboardsOf', () => {
  it('reads widgets and metrics back from a DashboardBody, intrinsics as placeholders', () => {
    const body = {
      'Fn::Join': [
        '',
        [
          '{"widgets":[{"type":"metric","x":0,"y":1,"width":12,"height":5,"properties":{"title":"Queue","region":"',
          { Ref: 'AWS::Region' },
          '","metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","',
          { 'Fn::GetAtt': ['DeadLetters1A2B3C4D', 'QueueName'] },
          '",{"label":"Visible","stat":"Maximum","color":"#d62728"}],[".","ApproximateAgeOfOldestMessage",".","',
          { 'Fn::GetAtt': ['DeadLetters1A2B3C4D', 'QueueName'] },
          '"],[{"expression":"a + b","label":"Sum"}]]}}]}',
        ],
      ],
    };
    const [dashboard] = dashboardsOf({
      Resources: {
        Board: {
          Type: 'AWS::CloudWatch::Dashboard',
          Properties: { DashboardName: 'VlIngest', DashboardBody: body },
        },
      },
    });
    expect(dashboard).toMatchObject({ logicalId: 'Board', name: 'VlIngest' });
    expect(dashboard?.widgets).toEqual([
      {
        type: 'metric',
        x: 0,
        y: 1,
        width: 12,
        height: 5,
        title: 'Queue',
        markdown: undefined,
        metrics: [
          expect.objectContaining({
            namespace: 'AWS/SQS',
            name: 'ApproximateNumberOfMessagesVisible',
            dimensions: { QueueName: `\${DeadLetters1A2B3C4D.QueueName}` },
            label: 'Visible',
            stat: 'Maximum',
            color: '#d62728',
          }),
          expect.objectContaining({
            namespace: 'AWS/SQS',
            name: 'ApproximateAgeOfOldestMessage',
            dimensions: { QueueName: `\${DeadLetters1A2B3C4D.QueueName}` },
          }),
          expect.objectContaining({ expression: 'a + b', label: 'Sum' }),
        ],
      },
    ]);
  });
});

describe('renderDashboardSvg', () => {
  const dashboard: DashboardDefinition = {
    logicalId: 'Board',
    name: 'VlIngest',
    widgets: [
      {
        type: 'text',
        x: 0,
        y: 0,
        width: 24,
        height: 1,
        title: '',
        metrics: [],
        markdown: '# vl-ingest: VlIngest',
      },
      {
        type: 'text',
        x: 0,
        y: 1,
        width: 24,
        height: 1,
        title: '',
        metrics: [],
        markdown: `### Lambda Function **[PlanFolder](https://\${AWS::Region}.console.aws.amazon.com/x)**`,
      },
      {
        type: 'metric',
        x: 6,
        y: 2,
        width: 6,
        height: 5,
        title: 'Folders & <outcomes>',
        metrics: [
          { namespace: 'VlIngest', name: 'DatasetsReady', dimensions: {}, label: 'READY', color: '#2ca02c' },
          { namespace: 'AWS/States', name: 'ExecutionsFailed', dimensions: {}, visible: false },
          { expression: 'f - e', dimensions: {}, label: 'FAILED' },
          { namespace: 'AWS/Lambda', name: 'Duration', dimensions: {}, label: `P50 (avg: \${AVG})` },
          { namespace: 'AWS/Lambda', name: 'Errors', dimensions: {}, stat: 'Sum' },
        ],
      },
      {
        type: 'metric',
        x: 12,
        y: 2,
        width: 3,
        height: 3,
        title: 'Crowded',
        metrics: Array.from({ length: 8 }, (_, i) => ({ name: `M${i}`, dimensions: {}, label: `line ${i}` })),
      },
    ],
  };
  const svg = renderDashboardSvg(dashboard, 'A rendering of the definition, not a screenshot.');

  it("draws each widget's box where the 24-column grid puts it", () => {
    const box = (x: number, y: number, w: number, h: number) =>
      `<rect x="${x * GRID.column + 2}" y="${GRID.caption + y * GRID.row + 2}" width="${w * GRID.column - 4}" height="${h * GRID.row - 4}"`;
    expect(svg).toContain(box(0, 0, 24, 1));
    expect(svg).toContain(box(6, 2, 6, 5));
    expect(svg).toContain(box(12, 2, 3, 3));
    expect(svg).toMatch(
      new RegExp(`^<svg [^>]*width="${24 * GRID.column}" height="${GRID.caption + 7 * GRID.row + 4}"`),
    );
  });

  it('writes titles, headers and the labels of the metrics it draws, hidden ones left out', () => {
    expect(svg).toContain('A rendering of the definition, not a screenshot.');
    expect(svg).toContain('>vl-ingest: VlIngest<');
    expect(svg).toContain('>Lambda Function PlanFolder<');
    expect(svg).toContain('>Folders &#38; &#60;outcomes&#62;<');
    for (const label of ['READY', 'FAILED', 'P50', 'Errors Sum']) expect(svg).toContain(`>${label}<`);
    expect(svg).not.toContain('ExecutionsFailed');
    expect(svg).not.toContain(`\${`);
    expect(svg).toContain('fill="#2ca02c"');
  });

  it('says how many labels did not fit in a small widget', () => {
    expect(svg).toContain('>line 0<');
    expect(svg).not.toContain('>line 7<');
    expect(svg).toMatch(/>\+\d more</);
  });
});
