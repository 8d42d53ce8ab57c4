import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  type IChainable,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  Result,
  type State,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  DynamoAttributeValue,
  DynamoUpdateItem,
  EventBridgePutEvents,
  LambdaInvoke,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FAILURE_CODES, RETRYABLE_ERROR_NAMES } from '../../lambdas/shared/errors';
import { MAX_CONSECUTIVE_POLL_FAILURES } from '../../lambdas/shared/polling/limits';
import { RECORD_KEYS } from '../../lambdas/shared/record/folder-record';

/** Props of {@link IngestWorkflow}. */
export interface IngestWorkflowProps {
  readonly table: ITable;
  readonly planFunction: IFunction;
  readonly createFunction: IFunction;
  readonly statusFunction: IFunction;
  /** Quiet trigger: the function that tells whether a folder has been quiet long enough. */
  readonly settleFunction?: IFunction;
  /** Longest time a folder may spend settling (quiet trigger). @default no settle step */
  readonly settleCap?: Duration;
  /** First (and shortest) wait before a status check, in seconds. */
  readonly pollIntervalSeconds: number;
  /** Give up after this many minutes of indexing. */
  readonly maxWaitMinutes: number;
  /** Key that encrypts the execution log group. @default CloudWatch Logs' own encryption */
  readonly logKey?: IKey;
}

/** `source` of the event announcing how a folder ended. */
export const ANNOUNCEMENT_SOURCE = 'vl-ingest';
/** `detail-type` of that event; its detail holds folderUri, status, datasetId, datasetUrl, error. */
export const ANNOUNCEMENT_DETAIL_TYPE = 'Folder Ingestion Finished';

/** Time an execution may take beyond `maxWaitMinutes`: creation retries and the last records. */
export const EXECUTION_TIMEOUT_MARGIN = Duration.hours(2);

/** Names of the states other code refers to (tests, the local runtime, dashboards). */
export const STATE_NAMES = {
  plan: 'PlanFolder',
  claim: 'ClaimFolder',
  create: 'CreateDataset',
  check: 'CheckStatus',
  settle: 'SettleFolder',
  settleWait: 'WaitForQuiet',
  wait: 'WaitBeforeCheck',
  recordFailed: 'RecordFailed',
} as const;

const LAMBDA_THROTTLED = 'Lambda.TooManyRequestsException';
const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';
const DynamoDAV = (value: string) => DynamoAttributeValue.fromString(value);
const DYNAMODB_TRANSIENT = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.InternalServerErrorException',
];

/**
 * The Standard state machine that turns one object event into a recorded dataset:
 * plan → claim the folder (first event wins) → create → poll with an adaptive Wait/Choice loop →
 * record READY, ERROR, TIMED_OUT or FAILED. Every path that passes the claim ends with a record;
 * every Task has a timeout; Visual Layer's transient errors are retried with backoff and jitter.
 */
export class IngestWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: IngestWorkflowProps) {
    super(scope, id);
    const { table } = props;
    const key = {
      [RECORD_KEYS.partitionKey]: DynamoAttributeValue.fromString(JsonPath.stringAt('$.folderUri')),
    };
    const now = DynamoAttributeValue.fromString(JsonPath.stringAt('$$.State.EnteredTime'));
    const num = (path: string) =>
      DynamoAttributeValue.numberFromString(JsonPath.format('{}', JsonPath.stringAt(path)));
    const str = (path: string) => DynamoAttributeValue.fromString(JsonPath.stringAt(path));
    const update = (
      stateId: string,
      updateExpression: string,
      values: Record<string, DynamoAttributeValue>,
      extra: { conditionExpression?: string } = {},
    ) => {
      const task = new DynamoUpdateItem(this, stateId, {
        stateName: stateId,
        table,
        key,
        updateExpression,
        expressionAttributeNames: names(updateExpression, extra.conditionExpression),
        expressionAttributeValues: values,
        conditionExpression: extra.conditionExpression,
        resultPath: JsonPath.DISCARD,
        taskTimeout: Timeout.duration(Duration.seconds(30)),
      });
      task.addRetry({
        errors: DYNAMODB_TRANSIENT,
        interval: Duration.seconds(1),
        backoffRate: 2,
        maxAttempts: 6,
      });
      return task;
    };

    /**
     * Tells downstream consumers how a folder ended: one event on the default bus, after the record
     * is written. Announcing is best effort: a failure to publish never changes the outcome.
     */
    const announce = (stateName: string, detail: Record<string, unknown>, then: State) => {
      const task = new EventBridgePutEvents(this, stateName, {
        stateName,
        entries: [
          {
            source: ANNOUNCEMENT_SOURCE,
            detailType: ANNOUNCEMENT_DETAIL_TYPE,
            detail: TaskInput.fromObject({ ...detail, executionArn: JsonPath.stringAt('$$.Execution.Id') }),
          },
        ],
        resultPath: JsonPath.DISCARD,
        taskTimeout: Timeout.duration(Duration.seconds(30)),
      });
      task.addRetry({
        errors: ['EventBridge.InternalException', 'EventBridge.ThrottlingException'],
        maxAttempts: 3,
      });
      task.addCatch(then, { errors: [Errors.ALL], resultPath: JsonPath.DISCARD });
      return task.next(then as unknown as IChainable);
    };

    // ---- failure: one record, then the execution fails so alarms on failed executions fire
    const executionFailed = new Fail(this, 'PipelineFailed', {
      stateName: 'PipelineFailed',
      errorPath: JsonPath.stringAt('$.failure.code'),
      causePath: JsonPath.stringAt('$.failure.cause.errorMessage'),
    });
    const recordFailed = update(
      STATE_NAMES.recordFailed,
      'SET #status = :failed, #error = :error, updatedAt = :now, finishedAt = :now',
      {
        ':failed': DynamoAttributeValue.fromString('FAILED'),
        ':error': DynamoAttributeValue.fromMap({
          code: str('$.failure.code'),
          message: str('$.failure.cause.errorMessage'),
        }),
        ':now': now,
      },
    ).next(
      announce(
        'AnnounceFailed',
        {
          folderUri: JsonPath.stringAt('$.folderUri'),
          status: 'FAILED',
          error: {
            code: JsonPath.stringAt('$.failure.code'),
            message: JsonPath.stringAt('$.failure.cause.errorMessage'),
          },
        },
        executionFailed,
      ),
    );

    /** Catch rules for a Lambda task: each named error gets its code; anything else is INTERNAL. */
    const catchFailures = (task: LambdaInvoke, prefix: string) => {
      const byCode = new Map<string, string[]>();
      for (const [errorName, code] of Object.entries(FAILURE_CODES)) {
        byCode.set(code, [...(byCode.get(code) ?? []), errorName]);
      }
      for (const [code, errors] of byCode) {
        const describe = new Pass(this, `${prefix}${pascal(code)}`, {
          stateName: `${prefix}Failed${pascal(code)}`,
          parameters: { code, 'cause.$': 'States.StringToJson($.error.Cause)' },
          resultPath: '$.failure',
        });
        task.addCatch(describe.next(recordFailed), { errors, resultPath: '$.error' });
      }
      const internal = new Pass(this, `${prefix}Internal`, {
        stateName: `${prefix}FailedInternal`,
        parameters: {
          code: 'INTERNAL',
          cause: {
            errorMessage: JsonPath.format(
              'the {} step failed with {} (a crash, a timeout or a service error); see the execution history',
              prefix,
              JsonPath.stringAt('$.error.Error'),
            ),
          },
        },
        resultPath: '$.failure',
      });
      task.addCatch(internal.next(recordFailed), { errors: [Errors.ALL], resultPath: '$.error' });
    };

    const invoke = (stateName: string, fn: IFunction, payload: TaskInput, resultPath: string) => {
      const task = new LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: fn,
        payload,
        payloadResponseOnly: false,
        resultSelector: { 'value.$': '$.Payload' },
        resultPath,
        taskTimeout: Timeout.duration(Duration.seconds(120)),
        retryOnServiceExceptions: true,
      });
      task.addRetry({
        errors: [LAMBDA_THROTTLED],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 6,
      });
      task.addRetry({ errors: ['Lambda.Unknown'], interval: Duration.seconds(5), maxAttempts: 1 });
      return task;
    };

    // ---- 1 plan
    const plan = invoke(STATE_NAMES.plan, props.planFunction, TaskInput.fromJsonPathAt('$'), '$.planned');
    const planned = new Pass(this, 'UsePlan', { stateName: 'UsePlan', inputPath: '$.planned.value' });
    // A rejected event has no folder: its record is keyed by the execution's name.
    const rejectedKey = JsonPath.format('rejected-event:{}', JsonPath.stringAt('$$.Execution.Name'));
    const rejectedInput = new Pass(this, 'DescribeRejectedEvent', {
      stateName: 'DescribeRejectedEvent',
      parameters: {
        folderUri: rejectedKey,
        failure: { code: FAILURE_CODES.InvalidInputError, 'cause.$': 'States.StringToJson($.error.Cause)' },
      },
    });
    const planCrashed = new Pass(this, 'DescribePlanFailure', {
      stateName: 'DescribePlanFailure',
      parameters: {
        folderUri: rejectedKey,
        failure: {
          code: 'INTERNAL',
          cause: {
            errorMessage: JsonPath.format(
              'the event could not be planned ({}); see the execution history',
              JsonPath.stringAt('$.error.Error'),
            ),
          },
        },
      },
    });
    plan.addCatch(rejectedInput.next(recordFailed), { errors: ['InvalidInputError'], resultPath: '$.error' });
    plan.addCatch(planCrashed.next(recordFailed), { errors: [Errors.ALL], resultPath: '$.error' });
    const skipped = new Succeed(this, 'ObjectSkipped', { stateName: 'ObjectSkipped' });

    // ---- 2 claim (started by an object event): the first event of a folder wins. A folder whose last
    // attempt failed is claimed again and keeps that attempt's outcome; any other event only counts.
    const failedStatuses = {
      ':error': DynamoDAV('ERROR'),
      ':timedOut': DynamoDAV('TIMED_OUT'),
      ':failed': DynamoDAV('FAILED'),
    };
    const claimValues = {
      ':pending': DynamoDAV('PENDING'),
      ':name': str('$.datasetName'),
      ':exec': str('$$.Execution.Id'),
      ':now': now,
      ':objectAt': str('$.objectCreatedAt'),
      ':one': DynamoAttributeValue.fromNumber(1),
    };
    const claim = update(
      STATE_NAMES.claim,
      'SET #status = :pending, datasetName = :name, executionArn = :exec, updatedAt = :now, claimedAt = :now, ' +
        'createdAt = :now, firstObjectAt = :objectAt, lastObjectAt = :objectAt, objectCount = :one, attempts = :one',
      claimValues,
      { conditionExpression: 'attribute_not_exists(folderUri)' },
    );
    const reclaim = update(
      'ReclaimFailedFolder',
      'SET lastStatus = #status, lastError = #error, #status = :pending, datasetName = :name, executionArn = :exec, ' +
        'updatedAt = :now, claimedAt = :now, lastObjectAt = :objectAt ADD objectCount :one, attempts :one ' +
        'REMOVE datasetId, datasetUrl, finishedAt, vlStatus, progress, polls, nImages, nVideos, #error',
      { ...claimValues, ...failedStatuses },
      { conditionExpression: '#status IN (:error, :timedOut, :failed)' },
    );
    const countObject = update(
      'CountLateObject',
      'SET lastObjectAt = :objectAt, updatedAt = :now ADD objectCount :one',
      { ':objectAt': str('$.objectCreatedAt'), ':now': now, ':one': DynamoAttributeValue.fromNumber(1) },
    ).next(new Succeed(this, 'FolderAlreadyClaimed', { stateName: 'FolderAlreadyClaimed' }));
    claim.addCatch(reclaim, { errors: [CONDITION_FAILED], resultPath: '$.error' });
    reclaim.addCatch(countObject, { errors: [CONDITION_FAILED], resultPath: '$.error' });
    // A claim that cannot be written cannot be recorded either: the execution fails and is alarmed.

    // ---- 3 create
    const create = invoke(
      STATE_NAMES.create,
      props.createFunction,
      TaskInput.fromObject({
        folderUri: JsonPath.stringAt('$.folderUri'),
        datasetName: JsonPath.stringAt('$.datasetName'),
        notBefore: JsonPath.stringAt('$$.Execution.StartTime'),
      }),
      '$.created',
    );
    create.addRetry({
      errors: [...RETRYABLE_ERROR_NAMES],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 4,
      maxDelay: Duration.seconds(60),
      jitterStrategy: JitterType.FULL,
    });
    catchFailures(create, 'Create');
    const recordCreated = update(
      'RecordCreated',
      'SET #status = :indexing, datasetId = :id, datasetUrl = :url, updatedAt = :now, polls = :zero',
      {
        ':indexing': DynamoAttributeValue.fromString('INDEXING'),
        ':id': str('$.created.value.datasetId'),
        ':url': str('$.created.value.datasetUrl'),
        ':now': now,
        ':zero': DynamoAttributeValue.fromNumber(0),
      },
    );
    const startPolling = new Pass(this, 'StartPolling', {
      stateName: 'StartPolling',
      result: Result.fromObject({
        value: { polls: 0, nextWaitSeconds: props.pollIntervalSeconds, failures: 0 },
      }),
      resultPath: '$.poll',
    });

    // ---- 4 poll
    const wait = new Wait(this, STATE_NAMES.wait, {
      stateName: STATE_NAMES.wait,
      time: WaitTime.secondsPath('$.poll.value.nextWaitSeconds'),
    });
    const check = invoke(
      STATE_NAMES.check,
      props.statusFunction,
      TaskInput.fromObject({
        datasetId: JsonPath.stringAt('$.created.value.datasetId'),
        since: JsonPath.stringAt('$.created.value.createdAt'),
        polls: JsonPath.numberAt('$.poll.value.polls'),
        lastWaitSeconds: JsonPath.numberAt('$.poll.value.nextWaitSeconds'),
      }),
      '$.poll',
    );
    // A failed status check is not a failed dataset: it counts as a check, and the loop goes on until
    // MAX_CONSECUTIVE_POLL_FAILURES in a row. Every check costs the same history, retried or not.
    const pollFailed = new Pass(this, 'PollFailed', {
      stateName: 'PollFailed',
      parameters: {
        value: {
          'polls.$': 'States.MathAdd($.poll.value.polls, 1)',
          'nextWaitSeconds.$': '$.poll.value.nextWaitSeconds',
          'failures.$': 'States.MathAdd($.poll.value.failures, 1)',
        },
        'error.$': '$.pollError',
      },
      resultPath: '$.poll',
    });
    const unreachable = new Pass(this, 'ChecksKeptFailing', {
      stateName: 'ChecksKeptFailing',
      parameters: {
        code: FAILURE_CODES.VisualLayerTransientError,
        'cause.$': 'States.StringToJson($.poll.error.Cause)',
      },
      resultPath: '$.failure',
    });
    check.addCatch(pollFailed, { errors: ['VisualLayerTransientError'], resultPath: '$.pollError' });
    catchFailures(check, 'Check');
    const recordProgress = update(
      'RecordProgress',
      'SET vlStatus = :vl, progress = :progress, polls = :polls, updatedAt = :now',
      {
        ':vl': str('$.poll.value.vlStatus'),
        ':progress': num('$.poll.value.progress'),
        ':polls': num('$.poll.value.polls'),
        ':now': now,
      },
    );

    // ---- 5 final records
    const finalValues = {
      ':vl': str('$.poll.value.vlStatus'),
      ':progress': num('$.poll.value.progress'),
      ':polls': num('$.poll.value.polls'),
      ':images': num('$.poll.value.nImages'),
      ':videos': num('$.poll.value.nVideos'),
      ':now': now,
    };
    const finalSet =
      'vlStatus = :vl, progress = :progress, polls = :polls, nImages = :images, nVideos = :videos, updatedAt = :now, finishedAt = :now';
    const recordReady = update('RecordReady', `SET #status = :ready, ${finalSet}`, {
      ...finalValues,
      ':ready': DynamoAttributeValue.fromString('READY'),
    }).next(
      announce(
        'AnnounceReady',
        {
          folderUri: JsonPath.stringAt('$.folderUri'),
          status: 'READY',
          datasetId: JsonPath.stringAt('$.created.value.datasetId'),
          datasetUrl: JsonPath.stringAt('$.created.value.datasetUrl'),
          nImages: JsonPath.numberAt('$.poll.value.nImages'),
          nVideos: JsonPath.numberAt('$.poll.value.nVideos'),
        },
        new Succeed(this, 'DatasetReady', { stateName: 'DatasetReady' }),
      ),
    );
    const recordOutcomeFailure = (stateId: string, status: string, code: string) =>
      update(stateId, `SET #status = :status, #error = :error, ${finalSet}`, {
        ...finalValues,
        ':status': DynamoAttributeValue.fromString(status),
        ':error': DynamoAttributeValue.fromMap({
          code: DynamoAttributeValue.fromString(code),
          message: str('$.poll.value.message'),
        }),
      }).next(
        announce(
          `Announce${pascal(status)}`,
          {
            folderUri: JsonPath.stringAt('$.folderUri'),
            status,
            datasetId: JsonPath.stringAt('$.created.value.datasetId'),
            datasetUrl: JsonPath.stringAt('$.created.value.datasetUrl'),
            error: { code, message: JsonPath.stringAt('$.poll.value.message') },
          },
          new Fail(this, `${stateId}Fail`, {
            stateName: `Dataset${pascal(status)}`,
            error: code,
            causePath: JsonPath.stringAt('$.poll.value.message'),
          }),
        ),
      );

    const decide = new Choice(this, 'IndexingDone', { stateName: 'IndexingDone' })
      .when(Condition.stringEquals('$.poll.value.outcome', 'READY'), recordReady)
      .when(
        Condition.stringEquals('$.poll.value.outcome', 'ERROR'),
        recordOutcomeFailure('RecordError', 'ERROR', 'VL_ERROR'),
      )
      .when(
        Condition.stringEquals('$.poll.value.outcome', 'TIMED_OUT'),
        recordOutcomeFailure('RecordTimedOut', 'TIMED_OUT', 'TIMED_OUT'),
      )
      .otherwise(recordProgress.next(wait));
    pollFailed.next(
      new Choice(this, 'TooManyFailedChecks', { stateName: 'TooManyFailedChecks' })
        .when(
          Condition.numberGreaterThanEquals('$.poll.value.failures', MAX_CONSECUTIVE_POLL_FAILURES),
          unreachable.next(recordFailed),
        )
        .otherwise(wait),
    );

    create.next(recordCreated).next(startPolling).next(wait).next(check).next(decide);
    claim.next(create);
    reclaim.next(create);
    plan
      .next(planned)
      .next(
        new Choice(this, 'ShouldIngest', { stateName: 'ShouldIngest' })
          .when(Condition.stringEquals('$.action', 'skip'), skipped)
          .otherwise(claim),
      );
    let definition: IChainable = plan;
    const { settleFunction } = props;
    if (settleFunction) {
      // ---- 2' settle (started by the folding function, which already claimed the folder): wait until
      // the folder has been quiet for quietSeconds, then record what it holds and create.
      const settle = invoke(
        STATE_NAMES.settle,
        settleFunction,
        TaskInput.fromObject({
          folderUri: JsonPath.stringAt('$.folderUri'),
          claimedAt: JsonPath.stringAt('$.claimedAt'),
          checks: JsonPath.numberAt('$.settle.value.checks'),
        }),
        '$.settle',
      );
      settle.addRetry({
        errors: ['TransientDependencyError'],
        interval: Duration.seconds(2),
        backoffRate: 2,
        maxAttempts: 3,
        jitterStrategy: JitterType.FULL,
      });
      catchFailures(settle, 'Settle');
      const startSettling = new Pass(this, 'StartSettling', {
        stateName: 'StartSettling',
        result: Result.fromObject({ value: { checks: 0 } }),
        resultPath: '$.settle',
      });
      const waitForQuiet = new Wait(this, STATE_NAMES.settleWait, {
        stateName: STATE_NAMES.settleWait,
        time: WaitTime.secondsPath('$.settle.value.waitSeconds'),
      });
      const recordSettled = update(
        'RecordSettled',
        'SET #status = :creating, objectCount = :count, firstObjectAt = :first, lastObjectAt = :last, ' +
          'executionArn = :exec, updatedAt = :now, settledAt = :now',
        {
          ':creating': DynamoDAV('CREATING'),
          ':pending': DynamoDAV('PENDING'),
          ':count': num('$.settle.value.objectCount'),
          ':first': str('$.settle.value.firstObjectAt'),
          ':last': str('$.settle.value.lastObjectAt'),
          ':exec': str('$$.Execution.Id'),
          ':attempt': num('$.attempt'),
          ':now': now,
        },
        { conditionExpression: '#status = :pending AND attempts = :attempt' },
      );
      recordSettled.addCatch(new Succeed(this, 'AttemptSuperseded', { stateName: 'AttemptSuperseded' }), {
        errors: [CONDITION_FAILED],
        resultPath: '$.error',
      });
      // While collecting, the record shows what the folder holds so far.
      const recordCollecting = update(
        'RecordCollecting',
        'SET objectCount = :count, firstObjectAt = :first, lastObjectAt = :last, updatedAt = :now',
        {
          ':pending': DynamoDAV('PENDING'),
          ':count': num('$.settle.value.objectCount'),
          ':first': str('$.settle.value.firstObjectAt'),
          ':last': str('$.settle.value.lastObjectAt'),
          ':attempt': num('$.attempt'),
          ':now': now,
        },
        { conditionExpression: '#status = :pending AND attempts = :attempt' },
      );
      recordCollecting.addCatch(
        new Succeed(this, 'AttemptSupersededWhileCollecting', {
          stateName: 'AttemptSupersededWhileCollecting',
        }),
        {
          errors: [CONDITION_FAILED],
          resultPath: '$.error',
        },
      );
      const settled = new Choice(this, 'FolderSettled', { stateName: 'FolderSettled' })
        .when(Condition.booleanEquals('$.settle.value.ready', true), recordSettled)
        .otherwise(recordCollecting.next(waitForQuiet).next(settle));
      recordSettled.next(create);
      settle.next(settled);
      definition = new Choice(this, 'HowStarted', {
        stateName: 'HowStarted',
        comment:
          'The folding function starts a claimed folder; an object event (marker trigger) starts at the plan.',
      })
        .when(Condition.isPresent('$.folderUri'), startSettling.next(settle))
        .otherwise(plan);
    }

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: Duration.minutes(Math.ceil(props.maxWaitMinutes))
        .plus(props.settleCap ?? Duration.seconds(0))
        .plus(EXECUTION_TIMEOUT_MARGIN),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'ExecutionLogs', {
          retention: RetentionDays.THREE_MONTHS,
          removalPolicy: RemovalPolicy.DESTROY,
          encryptionKey: props.logKey,
        }),
        // Every state transition, without its data: enough to follow an execution, nothing to leak.
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    const stack = Stack.of(this);
    const functions = [props.planFunction, props.createFunction, props.statusFunction, props.settleFunction];
    Validations.of(this.stateMachine.role).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray tracing and CloudWatch Logs delivery (logs:CreateLogDelivery and friends) have no resource-level permissions.',
      },
      ...functions.flatMap((fn) =>
        fn
          ? [
              {
                id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
                reason: `Versions and aliases of the ${fn.node.id} function, which the LambdaInvoke task may call.`,
              },
            ]
          : [],
      ),
    );
  }
}

/** `#status` and `#error` are DynamoDB reserved words; alias them when an expression uses them. */
function names(...expressions: (string | undefined)[]): Record<string, string> | undefined {
  const text = expressions.join(' ');
  const aliases: Record<string, string> = {};
  for (const word of ['status', 'error']) if (text.includes(`#${word}`)) aliases[`#${word}`] = word;
  return Object.keys(aliases).length > 0 ? aliases : undefined;
}

function pascal(code: string): string {
  return code
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
