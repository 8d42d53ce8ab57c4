import { Duration } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MEDIA_EXTENSIONS } from '../../lambdas/shared/media';
import { encodeS3EventKey } from '../../lambdas/shared/s3-key';
import type { IngestConfig } from '../config';

/** Props of {@link IngestTrigger}. */
export interface IngestTriggerProps {
  readonly bucket: IBucket;
  readonly stateMachine: IStateMachine;
  readonly config: Pick<IngestConfig, 'prefix' | 'folderDepth' | 'trigger' | 'markerName'>;
}

/** How long EventBridge keeps retrying a failed start before the event goes to the dead-letter queue. */
export const TARGET_MAX_EVENT_AGE = Duration.hours(24);
/** Retry attempts of the rule target (the service maximum). */
export const TARGET_RETRY_ATTEMPTS = 185;

/**
 * The EventBridge rule that starts the state machine for S3 "Object Created" events of the bucket:
 * only keys under the prefix, deep enough to name a folder, and either media files (quiet trigger,
 * non-empty objects only) or the marker object (marker trigger). Starts that keep failing end in an
 * encrypted SQS dead-letter queue.
 */
export class IngestTrigger extends Construct {
  readonly rule: Rule;
  /** Events whose execution could not be started after every retry. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: IngestTriggerProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const { config } = props;
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
    this.rule.addTarget(
      new SfnStateMachine(props.stateMachine, {
        deadLetterQueue: this.deadLetterQueue,
        maxEventAge: TARGET_MAX_EVENT_AGE,
        retryAttempts: TARGET_RETRY_ATTEMPTS,
      }),
    );
  }
}

/**
 * Wildcard patterns for `detail.object.key`, written in the key's delivered (URL-encoded) form:
 * the prefix, at least `folderDepth` folder levels, then a media extension in lower or upper case
 * (quiet trigger) or the marker's name (marker trigger). Mixed-case extensions that slip past are
 * still checked by the plan step.
 */
export function objectKeyPatterns(
  config: Pick<IngestConfig, 'prefix' | 'folderDepth' | 'trigger' | 'markerName'>,
): string[] {
  const head = `${escapeWildcard(encodeS3EventKey(config.prefix))}${'*/'.repeat(config.folderDepth)}`;
  if (config.trigger === 'marker') return [`${head}${escapeWildcard(encodeS3EventKey(config.markerName))}`];
  return MEDIA_EXTENSIONS.flatMap((ext) => [`${head}*.${ext}`, `${head}*.${ext.toUpperCase()}`]);
}

function escapeWildcard(text: string): string {
  return text.replace(/[\\*]/g, (c) => `\\${c}`);
}
