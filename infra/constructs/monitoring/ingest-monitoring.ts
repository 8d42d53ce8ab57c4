import { Aws } from 'aws-cdk-lib';
import { ComparisonOperator, type Dashboard, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import {
  type AlarmWithAnnotation,
  type CustomAlarmThreshold,
  DefaultDashboardFactory,
  MonitoringFacade,
  SnsAlarmActionStrategy,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import { deploymentName } from '../deployment-name';
import { AlarmTopic } from './alarm-topic';
import { METRIC_PERIOD, type PipelineFeatures, pipelineMetricGroups } from './pipeline-metrics';

/** Props of {@link IngestMonitoring}. */
export interface IngestMonitoringProps {
  readonly stateMachine: IStateMachine;
  readonly deadLetterQueue: IQueue;
  /** The queue of object events (quiet trigger). @default none: the rule starts executions itself */
  readonly objectQueue?: IQueue;
  readonly functions: IFunction[];
  readonly recordsTable: ITable;
  /** Key that encrypts the alarm topic; CloudWatch must be allowed to use it. */
  readonly key: IKey;
  /** Subscribe this address to the alarm topic. @default no subscription */
  readonly alarmEmail?: string;
  /** Draw the gate's and the appends' graphs. @default neither */
  readonly features?: PipelineFeatures;
  /** Notify this existing topic instead of a new one. @default a new topic, encrypted with `key` */
  readonly alarmTopic?: ITopic;
}

/**
 * Fires on the first occurrence in five minutes; no data is not an alarm. Named `<stack>-<name>`:
 * the names docs/operations.md explains.
 */
function firstOccurrence(alarmName: string, description: string): CustomAlarmThreshold {
  return {
    alarmNameOverride: alarmName,
    alarmDescriptionOverride: description,
    comparisonOperatorOverride: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingDataOverride: TreatMissingData.NOT_BREACHING,
    datapointsToAlarm: 1,
    evaluationPeriods: 1,
    period: METRIC_PERIOD,
  };
}

/** The severity of every alarm: each notifies the one topic. */
const ALARM = 'Critical';

/**
 * The pipeline's dashboard and failure alarms, through cdk-monitoring-constructs: one CloudWatch
 * dashboard named after the deployment (its stack, by default: folders by outcome, indexing duration, Visual Layer errors and
 * latency, executions, the queues, every function, the records table), and alarms on failed and
 * timed-out executions, anything in the dead-letter queue and every function's errors, all
 * notifying one encrypted, TLS-only SNS topic.
 */
export class IngestMonitoring extends Construct {
  readonly topic: ITopic;
  readonly dashboard: Dashboard;
  readonly alarms: AlarmWithAnnotation[];
  /** The dashboard in the CloudWatch console. */
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: IngestMonitoringProps) {
    super(scope, id);
    const name = deploymentName(this);
    this.topic = props.alarmTopic ?? new AlarmTopic(this, 'Alarm', props).topic;
    const dashboards = new DefaultDashboardFactory(this, 'Dashboards', { dashboardNamePrefix: name });
    const facade = new MonitoringFacade(this, 'Facade', {
      metricFactoryDefaults: { period: METRIC_PERIOD },
      alarmFactoryDefaults: {
        alarmNamePrefix: name,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.topic }),
        datapointsToAlarm: 1,
      },
      dashboardFactory: dashboards,
    });

    facade
      .addLargeHeader(`vl-ingest: ${name}`)
      .monitorCustom({
        alarmFriendlyName: 'Pipeline',
        humanReadableName: 'Folders and Visual Layer',
        metricGroups: pipelineMetricGroups(
          facade.createMetricFactory(),
          name,
          props.stateMachine,
          props.features ?? { gate: false, appends: false },
        ),
      })
      .monitorStepFunction({
        stateMachine: props.stateMachine,
        alarmFriendlyName: 'Executions',
        humanReadableName: 'Executions',
        addFailedExecutionCountAlarm: {
          [ALARM]: {
            maxErrorCount: 1,
            ...firstOccurrence(
              `${name}-ExecutionsFailed`,
              'A folder ended ERROR, TIMED_OUT or FAILED: its record in the table says why and what to do.',
            ),
          },
        },
        addTimedOutExecutionCountAlarm: {
          [ALARM]: {
            maxErrorCount: 1,
            ...firstOccurrence(
              `${name}-ExecutionsTimedOut`,
              'An execution hit the state machine timeout: its folder may have no final record. See its history.',
            ),
          },
        },
      });
    const deadLetters = {
      [ALARM]: {
        maxMessageCount: 1,
        ...firstOccurrence(
          `${name}-DeadLetters`,
          'Object events could not be delivered or processed: see docs/operations.md, "Replay the dead-letter queue".',
        ),
      },
    };
    if (props.objectQueue) {
      facade.monitorSqsQueueWithDlq({
        queue: props.objectQueue,
        deadLetterQueue: props.deadLetterQueue,
        alarmFriendlyName: 'ObjectEvents',
        humanReadableName: 'Object events',
        addDeadLetterQueueMaxSizeAlarm: deadLetters,
      });
    } else {
      facade.monitorSqsQueue({
        queue: props.deadLetterQueue,
        alarmFriendlyName: 'DeadLetters',
        humanReadableName: 'Dead letters',
        addQueueMaxSizeAlarm: deadLetters,
      });
    }
    for (const fn of props.functions) {
      facade.monitorLambdaFunction({
        lambdaFunction: fn,
        // IteratorAge exists for stream sources only; the folding function reads SQS.
        isIterator: false,
        alarmFriendlyName: fn.node.id,
        humanReadableName: fn.node.id,
        addFaultCountAlarm: {
          [ALARM]: {
            maxErrorCount: 1,
            ...firstOccurrence(
              `${name}-${fn.node.id}Errors`,
              `The function ${fn.node.id} failed; the pipeline retries or records it. See its log group.`,
            ),
          },
        },
      });
    }
    facade.monitorDynamoTable({
      table: props.recordsTable,
      alarmFriendlyName: 'Records',
      humanReadableName: 'Records table',
    });

    this.alarms = facade.createdAlarms();
    this.dashboard = dashboards.dashboard as Dashboard;
    const region = Aws.REGION;
    this.dashboardUrl = `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
