import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Props of {@link IngestAlarms}. */
export interface IngestAlarmsProps {
  readonly stateMachine: IStateMachine;
  readonly deadLetterQueue: IQueue;
  readonly functions: IFunction[];
  /** Key that encrypts the topic; CloudWatch must be allowed to use it. */
  readonly key: IKey;
  /** Subscribe this address to the topic. @default no subscription */
  readonly alarmEmail?: string;
}

/** One alarm of the pipeline: what it watches and what it means. */
export interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly metric: IMetric;
}

/**
 * The pipeline's failure alarms, all notifying one encrypted, TLS-only SNS topic: executions that
 * failed (a folder ended ERROR or FAILED) or timed out, anything in the dead-letter queue, and
 * function errors. Each fires on the first occurrence in five minutes; no data is not an alarm.
 */
export class IngestAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: IngestAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'vl-ingest failures',
      masterKey: props.key,
      enforceSSL: true,
    });
    if (props.alarmEmail) {
      this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(this.topic).acknowledge({
        id: 'Serverless::Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is the e-mail address of alarmEmail; SNS retries e-mail delivery itself, and an ' +
          'undelivered alarm stays visible in CloudWatch.',
      });
    }
    const period = Duration.minutes(5);
    const specs: AlarmSpec[] = [
      {
        id: 'ExecutionsFailed',
        description:
          'A folder ended ERROR, TIMED_OUT or FAILED: its record in the table says why and what to do.',
        metric: props.stateMachine.metricFailed({ period }),
      },
      {
        id: 'ExecutionsTimedOut',
        description:
          'An execution hit the state machine timeout: its folder may have no final record. See its history.',
        metric: props.stateMachine.metricTimedOut({ period }),
      },
      {
        id: 'DeadLetters',
        description:
          'Object events could not be delivered or processed: see docs/operations.md, "Replay the dead-letter queue".',
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period,
          statistic: 'Maximum',
        }),
      },
      ...props.functions.map((fn) => ({
        id: `${fn.node.id}Errors`,
        description: `The function ${fn.node.id} failed; the pipeline retries or records it. See its log group.`,
        metric: fn.metricErrors({ period }),
      })),
    ];
    const action = new SnsAction(this.topic);
    this.alarms = specs.map((spec) => {
      const alarm = new Alarm(this, spec.id, {
        alarmDescription: spec.description,
        metric: spec.metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      return alarm;
    });
  }
}
