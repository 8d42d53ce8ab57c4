import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { VisualLayerIngestion } from 'vl-ingest';

const app = new App();
const stack = new Stack(app, 'PhotoPipeline');
// Your bucket, as it is; EventBridge notifications on, which the pipeline listens to.
const bucket = new Bucket(stack, 'Photos', { eventBridgeEnabled: true, enforceSSL: true });
// Put {"apiKey":"…","apiSecret":"…"} in it after the first deploy.
const credentials = new Secret(stack, 'VisualLayerCredentials');
new VisualLayerIngestion(stack, 'Ingestion', { bucket, credentials, prefix: 'drops/' });
