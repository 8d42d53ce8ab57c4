import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { ConfigError, parseConfig } from './config';
import { VlIngestStack } from './stack';

/**
 * Builds the app from CDK context: one stack, named by `stackName`. Exported for tests and the local
 * runtime, which synthesize in process with their own context and output folder.
 */
export function buildApp(app: App): VlIngestStack {
  const config = parseConfig((key) => app.node.tryGetContext(key), Object.keys(app.node.getAllContext()));
  const stack = new VlIngestStack(app, config.stackName, {
    config,
    description: 'vl-ingest: S3 folder drops become Visual Layer datasets',
  });
  // Security checks run on every synth: an unacknowledged finding fails it (and the tests).
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return stack;
}

if (require.main === module) {
  const app = new App();
  try {
    buildApp(app);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  app.synth();
}
