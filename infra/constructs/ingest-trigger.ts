import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MEDIA_EXTENSIONS } from '../../lambdas/shared/s3/media';
import { encodeS3EventKey } from '../../lambdas/shared/s3/s3-key';
import type { IngestConfig } from '../config';

/** Props of {@link IngestTrigger}. */
export interface IngestTriggerProps {
  readonly bucket: IBucket;
  readonly stateMachine: IStateMachine;
  /** Quiet trigger: the function that folds queued object events per folder. */
  readonly foldFunction?: LambdaFunction;
  readonly config: Pick<IngestConfig, 'prefix' | 'folderDepth' | 'trigger' | 'markerName'>;
}

/** How long EventBridge keeps retrying a failed delivery before the event goes to the dead-letter queue. */
export const TARGET_MAX_EVENT_AGE = Duration.hours(24);
/** Retry attempts of the rule target (the service maximum). */
export const TARGET_RETRY_ATTEMPTS = 185;
/** Object events handed to the folding function at once, and how long to gather them. */
export const FOLD_BATCH_SIZE = 1000;
export const FOLD_BATCH_WINDOW = Duration.seconds(5);
/** Deliveries of a queued object event before it goes to the dead-letter queue. */
export const FOLD_MAX_RECEIVES = 5;

/**
 * Starts the pipeline from S3 "Object Created" events of the bucket: only keys under the prefix and
 * deep enough to name a folder; media files (quiet trigger, non-empty only) or the marker object
 * (marker trigger).
 *
 * - `quiet`: rule → encrypted SQS queue → the folding function, in batches of up to
 *   {@link FOLD_BATCH_SIZE}; it starts one execution per folder. Failed messages are retried
 *   {@link FOLD_MAX_RECEIVES} times, then kept in the dead-letter queue.
 * - `marker`: rule → state machine, one execution per marker.
 *
 * Deliveries EventBridge cannot make for 24 h also end in the dead-letter queue.
 */
export class IngestTrigger extends Construct {
  readonly rule: Rule;
  /** Events that could not be delivered or processed after every retry. */
  readonly deadLetterQueue: Queue;
  /** Quiet trigger: the queue of object events. */
  readonly objectQueue?: Queue;

  constructor(scope: Construct, id: string, props: IngestTriggerProps) {
    super(scope, id);
    const { config } = props;
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'Serverless::Serverless-SQSRedrivePolicy',
        reason:
          'This queue is the dead-letter queue; it is alarmed and replayed by hand (README, "Operations").',
      },
      {
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of the rule target (and of the object queue, quiet trigger).',
      },
    );
    this.rule = new Rule(this, 'ObjectCreated', {
      description: `Starts vl-ingest for ${config.trigger === 'marker' ? `"${config.markerName}" markers` : 'media objects'} under "${config.prefix}"`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: {
            key: Match.anyOf(...objectKeyPatterns(config).map((p) => Match.wildcard(p))),
            ...(config.trigger === 'quiet' ? { size: Match.greaterThan(0) } : {}),
          },
        },
      },
    });
    const delivery = {
      deadLetterQueue: this.deadLetterQueue,
      maxEventAge: TARGET_MAX_EVENT_AGE,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
    };
    if (config.trigger === 'marker') {
      this.rule.addTarget(new SfnStateMachine(props.stateMachine, delivery));
      return;
    }
    if (!props.foldFunction) throw new Error('the quiet trigger needs foldFunction');
    const timeout = props.foldFunction.timeout ?? Duration.seconds(60);
    this.objectQueue = new Queue(this, 'ObjectEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS's advice for Lambda consumers: at least six times the function timeout.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: FOLD_MAX_RECEIVES },
    });
    this.rule.addTarget(new SqsQueue(this.objectQueue, delivery));
    props.foldFunction.addEventSource(
      new SqsEventSource(this.objectQueue, {
        batchSize: FOLD_BATCH_SIZE,
        maxBatchingWindow: FOLD_BATCH_WINDOW,
        reportBatchItemFailures: true,
      }),
    );
    Validations.of(props.foldFunction).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        'An SQS event source has no on-failure destination; failed messages reach the dead-letter queue through ' +
        `the queue's redrive policy after ${FOLD_MAX_RECEIVES} receives.`,
    });
  }
}

/** EventBridge's default limit on an event pattern's size, in characters. */
export const EVENT_PATTERN_LIMIT = 2048;
/** Room kept in the pattern for everything but the key patterns (source, bucket, size…). */
const PATTERN_OVERHEAD = 400;

/**
 * Wildcard patterns for `detail.object.key`, written in the key's delivered (URL-encoded) form:
 * the prefix, at least `folderDepth` folder levels, then a media extension in lower or upper case
 * (quiet trigger) or the marker's name (marker trigger). Mixed-case extensions that slip past are
 * still checked by the plan step. When a long prefix would push the extension list past
 * EventBridge's pattern size limit, the rule matches the prefix and depth only and the functions
 * alone filter media (they always check it).
 */
export function objectKeyPatterns(
  config: Pick<IngestConfig, 'prefix' | 'folderDepth' | 'trigger' | 'markerName'>,
): string[] {
  const head = `${escapeWildcard(encodeS3EventKey(config.prefix))}${'*/'.repeat(config.folderDepth)}`;
  if (config.trigger === 'marker') return [`${head}${escapeWildcard(encodeS3EventKey(config.markerName))}`];
  const media = MEDIA_EXTENSIONS.flatMap((ext) => [`${head}*.${ext}`, `${head}*.${ext.toUpperCase()}`]);
  const size = JSON.stringify(media.map((wildcard) => ({ wildcard }))).length;
  return size + PATTERN_OVERHEAD <= EVENT_PATTERN_LIMIT ? media : [`${head}*`];
}

function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}
