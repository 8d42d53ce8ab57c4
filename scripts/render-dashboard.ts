import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../infra/constructs/pipeline-function';
import { synthesizeApp } from '../local/aws/cloud-assembly';
import { dashboardsOf } from './dashboard-body';
import { DASHBOARD_CAPTION, DASHBOARD_PICTURE, renderDashboardSvg } from './dashboard-svg';

/**
 * `npm run docs:dashboard`: synthesizes the app with the default configuration, reads its dashboard
 * definition back and writes its layout to docs/images/dashboard.svg.
 */
function main(): void {
  const app = synthesizeApp();
  try {
    const [dashboard] = dashboardsOf(app.template);
    if (!dashboard) throw new Error('the synthesized app has no dashboard');
    const file = path.join(REPO_ROOT, DASHBOARD_PICTURE);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, renderDashboardSvg(dashboard, DASHBOARD_CAPTION));
    process.stdout.write(`${DASHBOARD_PICTURE}: ${dashboard.widgets.length} widgets of ${dashboard.name}\n`);
  } finally {
    app.dispose();
  }
}

main();
