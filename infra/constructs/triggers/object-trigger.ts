import { Duration, Validations } from 'aws-cdk-lib';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IChainable, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { IngestConfig } from '../../config';
import type { EntryPhases, WorkflowEntry } from '../workflow/ingest-workflow';
import type { WorkflowTasks } from '../workflow/tasks';
import type { ObjectMatch } from './key-patterns';

/** How long EventBridge keeps retrying a failed delivery before the event goes to the dead-letter queue. */
export const TARGET_MAX_EVENT_AGE = Duration.hours(24);
/** Retry attempts of the rule target (the service maximum). */
export const TARGET_RETRY_ATTEMPTS = 185;

/** What both triggers are given. */
export interface ObjectTriggerProps {
  readonly bucket: IBucket;
  readonly config: Pick<IngestConfig, 'prefix' | 'folderDepth'>;
}

/**
 * The part both triggers share: a rule on the bucket's S3 "Object Created" events, matching what the
 * trigger hands it (see key-patterns.ts), and the dead-letter queue for what cannot be delivered for
 * 24 h. A trigger is also the workflow's entry: it says how an execution begins, and is connected to
 * the state machine once that exists.
 */
export abstract class ObjectTrigger extends Construct implements WorkflowEntry {
  readonly rule: Rule;
  /** Events that could not be delivered or processed after every retry. */
  readonly deadLetterQueue: Queue;
  /** The delivery settings of the rule's target. */
  protected readonly delivery: { deadLetterQueue: Queue; maxEventAge: Duration; retryAttempts: number };
  /** Functions the trigger owns (alarmed with the others). */
  abstract readonly functions: IFunction[];
  readonly settleCap?: Duration;

  constructor(scope: Construct, id: string, bucket: IBucket, match: ObjectMatch) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'Serverless::Serverless-SQSRedrivePolicy',
        reason:
          'This queue is the dead-letter queue; it is alarmed and replayed by hand (docs/operations.md).',
      },
      {
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of the rule target (and of the object queue, quiet trigger).',
      },
    );
    this.rule = new Rule(this, 'ObjectCreated', {
      description: match.description,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [bucket.bucketName] },
          object: {
            key: Match.anyOf(...match.keys.map((p) => Match.wildcard(p))),
            ...(match.nonEmptyOnly ? { size: Match.greaterThan(0) } : {}),
          },
        },
      },
    });
    this.delivery = {
      deadLetterQueue: this.deadLetterQueue,
      maxEventAge: TARGET_MAX_EVENT_AGE,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
    };
  }

  abstract startWith(scope: Construct, tasks: WorkflowTasks, phases: EntryPhases): IChainable;

  /** Connects the trigger to the state machine it starts. */
  abstract connect(stateMachine: StateMachine): void;
}
