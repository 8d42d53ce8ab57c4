import { encodeS3EventKey } from '../lambdas/shared/s3/s3-key';
import type { SynthesizedApp } from '../local/aws/cloud-assembly';
import { LOCAL_CREDENTIALS, LocalPipeline } from '../local/pipeline';
import { PRICES, table } from './report';

/**
 * The cost table of bench/RESULTS.md: one folder of 2,000 images run through the quiet trigger on
 * the local runtime (virtual clock) and counted, then priced per folder and per month for 50 folders
 * a day, with the resources the stack keeps whatever the traffic.
 */

const IMAGES = 2000;
const FOLDERS_PER_MONTH = 50 * 30;
/** Assumed: Visual Layer indexes 2,000 images in about 30 minutes. */
const INDEXING_SECONDS = 1800;
/** Assumed for Lambda duration: 256 MB functions running 200 ms on average (ARM). */
const GB_SECONDS_PER_INVOCATION = 0.25 * 0.2;
/** A ledger item (folder, key, size, ETag, sequencer, times) and its 90 days of retention. */
const LEDGER_ITEM_BYTES = 300;
const LEDGER_RETENTION_DAYS = 90;
/** An execution log event (level ALL, without data) and its 3 months of retention. */
const EXECUTION_LOG_BYTES_PER_TRANSITION = 350;

/** Counts one folder and returns the cost section of the results. */
export async function folderCost(app: SynthesizedApp): Promise<string> {
  const p = await LocalPipeline.start({
    app,
    clock: 'virtual',
    simulator: {
      auth: { mode: 'jwt', ...LOCAL_CREDENTIALS },
      lifecycle: { indexingSeconds: INDEXING_SECONDS },
    },
  });
  try {
    const time = new Date(p.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    for (let i = 0; i < IMAGES; i += 1) p.deliver(objectCreated(`cost/frame ${i}.jpg`, time, i));
    const execution = (await p.settled()).find((e) => e.status === 'SUCCEEDED');
    if (!execution) throw new Error('the cost folder did not end READY');
    const batches = [...p.queues.values()].reduce((n, q) => n + q.batches, 0);
    const invocations = [...p.functions.values()].reduce((n, f) => n + f.lambda.invocations, 0);
    const logBytes = p.functionLogs.reduce((n, line) => n + line.length, 0);
    const resources = Object.values(app.template.Resources);
    const count = (type: string) => resources.filter((r) => r.Type === type).length;
    return costSection({
      transitions: execution.transitions,
      invocations,
      writeUnits: p.dynamodb.writes.units,
      sqsRequests: IMAGES + 2 * batches,
      secretReads: p.secrets.reads,
      logBytes: logBytes + execution.transitions * EXECUTION_LOG_BYTES_PER_TRANSITION,
      alarms: count('AWS::CloudWatch::Alarm'),
      tables: count('AWS::DynamoDB::Table'),
    });
  } finally {
    await p.stop();
  }
}

interface Counted {
  transitions: number;
  invocations: number;
  writeUnits: number;
  sqsRequests: number;
  secretReads: number;
  logBytes: number;
  alarms: number;
  tables: number;
}

function costSection(c: Counted): string {
  const gb = (bytes: number) => bytes / 1024 ** 3;
  // Reads: the settle step queries the folder's ledger (eventually consistent, 4 KB a half unit) twice.
  const readUnits = 2 * Math.ceil((IMAGES * LEDGER_ITEM_BYTES) / 4096) * 0.5;
  const perFolder: [string, string, number][] = [
    ['Step Functions', `${c.transitions} state transitions`, c.transitions * PRICES.transition],
    [
      'Lambda',
      `${c.invocations} invocations, 256 MB × 200 ms each`,
      c.invocations * (PRICES.lambdaRequest + GB_SECONDS_PER_INVOCATION * PRICES.lambdaGbSecond),
    ],
    [
      'DynamoDB',
      `${c.writeUnits} write units, ~${readUnits} read units`,
      c.writeUnits * PRICES.writeUnit + readUnits * PRICES.readUnit,
    ],
    ['SQS', `${c.sqsRequests} requests`, c.sqsRequests * PRICES.sqsRequest],
    ['EventBridge', '1 announcement (S3 and Step Functions events are free)', PRICES.customEvent],
    ['Secrets Manager', `${c.secretReads} reads`, c.secretReads * PRICES.secretsApiCall],
    [
      'CloudWatch Logs',
      `${(c.logBytes / 1024).toFixed(0)} KB ingested`,
      gb(c.logBytes) * PRICES.logsIngestGb,
    ],
  ];
  const folderTotal = perFolder.reduce((n, [, , usd]) => n + usd, 0);
  const ledgerGb = gb((FOLDERS_PER_MONTH / 30) * IMAGES * LEDGER_RETENTION_DAYS * LEDGER_ITEM_BYTES);
  const logsGb = gb(c.logBytes * FOLDERS_PER_MONTH * 3);
  const fixed: [string, string, number][] = [
    ['KMS key', '1 customer key (logs, alarm topic)', PRICES.kmsKeyMonth],
    ['Secrets Manager', '1 secret', PRICES.secretMonth],
    ['CloudWatch alarms', `${c.alarms} standard alarms`, c.alarms * PRICES.alarmMonth],
    [
      'DynamoDB storage and PITR',
      `${c.tables} tables; the ledger keeps 90 days: ~${ledgerGb.toFixed(1)} GB`,
      ledgerGb * (PRICES.storageGbMonth + PRICES.pitrGbMonth),
    ],
    [
      'CloudWatch Logs storage',
      `~${logsGb.toFixed(2)} GB kept (1–3 months)`,
      logsGb * PRICES.logsStorageGbMonth,
    ],
  ];
  const fixedTotal = fixed.reduce((n, [, , usd]) => n + usd, 0);
  const usd = (n: number) => (n < 0.01 ? n.toFixed(5) : n.toFixed(2));
  return [
    '## What it costs: 50 folders a day × 2,000 images',
    '',
    `One folder of ${IMAGES} images dropped at once, run through the quiet trigger on the local runtime (virtual`,
    `clock, ${INDEXING_SECONDS / 60} min of indexing, the default configuration with the gate) and counted; priced at ${PRICES.date}.`,
    'Free tiers are left out; so are S3 storage of the images, Visual Layer, X-Ray (about 30 traces a folder:',
    'within the 100,000 free traces a month) and KMS requests (a few per hour of log delivery).',
    '',
    table(
      ['per folder', 'what', 'USD'],
      [
        ...perFolder.map(([what, counted, n]) => [what, counted, usd(n)]),
        ['**total per folder**', '', usd(folderTotal)],
      ],
    ),
    '',
    table(
      ['per month', 'what', 'USD'],
      [
        ['1,500 folders', `${usd(folderTotal)} each`, usd(folderTotal * FOLDERS_PER_MONTH)],
        ...fixed.map(([what, counted, n]) => [what, counted, usd(n)]),
        ['**total per month**', '', usd(folderTotal * FOLDERS_PER_MONTH + fixedTotal)],
      ],
    ),
    '',
  ].join('\n');
}

/** An S3 "Object Created" event as EventBridge delivers it, for a decoded key. */
export function objectCreated(key: string, time: string, n: number): unknown {
  return {
    version: '0',
    id: `bench-${n}-${key}`,
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '000000000000',
    time,
    region: 'us-east-1',
    resources: ['arn:aws:s3:::acme-vision-drops'],
    detail: {
      version: '0',
      bucket: { name: 'acme-vision-drops' },
      object: {
        key: encodeS3EventKey(key),
        size: 250_000,
        etag: `e${n}`,
        sequencer: (n + 1).toString(16).padStart(18, '0').toUpperCase(),
      },
      'request-id': 'r',
      requester: '000000000000',
      reason: 'PutObject',
    },
  };
}
