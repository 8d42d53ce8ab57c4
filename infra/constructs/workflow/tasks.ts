import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Errors, JsonPath, Pass, type State, TaskInput, Timeout } from 'aws-cdk-lib/aws-stepfunctions';
import {
  DynamoAttributeValue,
  DynamoUpdateItem,
  EventBridgePutEvents,
  type EventBridgePutEventsProps,
  LambdaInvoke,
  type LambdaInvokeProps,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { FAILURE_CODES } from '../../../lambdas/shared/errors';
import { attributeNames, RECORD_KEYS } from '../../../lambdas/shared/record/folder-record';

/** `source` of the events announcing how a folder ended. */
export const ANNOUNCEMENT_SOURCE = 'vl-ingest';
/** `detail-type` of that event; its detail holds folderUri, status, datasetId, datasetUrl, error. */
export const ANNOUNCEMENT_DETAIL_TYPE = 'Folder Ingestion Finished';
/** `detail-type` of the event announcing an append batch; detail: folderUri, datasetId, generation, added, status, error. */
export const APPENDED_DETAIL_TYPE = 'Folder Objects Appended';

/** The error DynamoDB tasks raise when their condition does not hold. */
export const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';
const LAMBDA_THROTTLED = 'Lambda.TooManyRequestsException';
const DYNAMODB_TRANSIENT = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.RequestLimitExceeded',
  'DynamoDB.InternalServerErrorException',
];

/** A string attribute value read from the state at `path`. */
export const str = (path: string) => DynamoAttributeValue.fromString(JsonPath.stringAt(path));
/** A number attribute value read from the state at `path`. */
export const num = (path: string) =>
  DynamoAttributeValue.numberFromString(JsonPath.format('{}', JsonPath.stringAt(path)));
/** A literal string attribute value. */
export const text = (value: string) => DynamoAttributeValue.fromString(value);
/** The time the current state was entered, as a string attribute value. */
export const now = str('$$.State.EnteredTime');

/**
 * Builds the workflow's task states with the house rules: every task has a timeout, DynamoDB and
 * Lambda service errors are retried, and failures are caught into one record. Each phase of the
 * workflow (a {@link StateMachineFragment}) builds its states with one of these.
 */
export class WorkflowTasks {
  /** Where a caught failure goes: records it, announces it and fails the execution. */
  recordFailed?: State;
  /** Where an attempt that gave up at its deadline goes: records it TIMED_OUT, announces it, fails. */
  recordGaveUp?: State;
  /** Builds the state that gives back the execution's slot of the gate, then goes on; none without a gate. */
  slotRelease?: (scope: Construct, suffix: string, then: State) => State;
  /**
   * What a READY folder does after its outcome is announced, before the execution ends at `end`
   * (with appends: start the batch of objects that arrived meanwhile). @default it ends
   */
  afterReady?: (scope: Construct, end: State) => State;

  constructor(
    private readonly scope: Construct,
    private readonly table: ITable,
  ) {}

  /** An update of the folder's record (keyed by `$.folderUri`); its result is discarded. */
  update(
    scope: Construct,
    stateName: string,
    updateExpression: string,
    values: Record<string, DynamoAttributeValue>,
    conditionExpression?: string,
  ): DynamoUpdateItem {
    const task = new DynamoUpdateItem(scope, stateName, {
      stateName,
      table: this.table,
      key: { [RECORD_KEYS.partitionKey]: str('$.folderUri') },
      updateExpression,
      expressionAttributeNames: attributeNames(updateExpression, conditionExpression),
      expressionAttributeValues: values,
      conditionExpression,
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
  }

  /** A synchronous Lambda invocation whose payload lands at `resultPath.value`. */
  invoke(
    scope: Construct,
    stateName: string,
    fn: IFunction,
    payload: TaskInput,
    resultPath: string,
  ): LambdaInvoke {
    const task = new FunctionInvoke(scope, stateName, {
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
  }

  /**
   * Tells downstream consumers how a folder ended: one event on the default bus, after the record is
   * written, then `then`. Announcing is best effort: a failure to publish never changes the outcome.
   */
  announce(
    scope: Construct,
    stateName: string,
    detail: Record<string, unknown>,
    then: State,
    detailType = ANNOUNCEMENT_DETAIL_TYPE,
  ): State {
    const task = new Announcement(scope, stateName, {
      stateName,
      entries: [
        {
          source: ANNOUNCEMENT_SOURCE,
          detailType,
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
    task.next(then);
    return task;
  }

  /**
   * Catch rules for a Lambda task: each error name of {@link FAILURE_CODES} becomes its code in
   * `$.failure`, anything else is INTERNAL; all go to {@link recordFailed}.
   */
  catchFailures(scope: Construct, task: LambdaInvoke, prefix: string): void {
    const recordFailed = this.failureTarget();
    const byCode = new Map<string, string[]>();
    for (const [errorName, code] of Object.entries(FAILURE_CODES)) {
      byCode.set(code, [...(byCode.get(code) ?? []), errorName]);
    }
    for (const [code, errors] of byCode) {
      const describe = new Pass(scope, `${prefix}${pascal(code)}`, {
        stateName: `${prefix}Failed${pascal(code)}`,
        parameters: { code, 'cause.$': 'States.StringToJson($.error.Cause)' },
        resultPath: '$.failure',
      });
      task.addCatch(describe.next(recordFailed), { errors, resultPath: '$.error' });
    }
    const internal = new Pass(scope, `${prefix}Internal`, {
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
  }

  /** `then`, after giving back the execution's slot of the gate when there is one (every end does). */
  releasingSlot(scope: Construct, suffix: string, then: State): State {
    return this.slotRelease ? this.slotRelease(scope, suffix, then) : then;
  }

  /** The state that records a failure described at `$.failure`. */
  failureTarget(): State {
    if (!this.recordFailed) throw new Error(`${this.scope.node.path}: the failure phase is not built yet`);
    return this.recordFailed;
  }

  /** The state that records, as TIMED_OUT, an attempt that gave up as described at `$.failure`. */
  giveUpTarget(): State {
    if (!this.recordGaveUp) throw new Error(`${this.scope.node.path}: the give-up phase is not built yet`);
    return this.recordGaveUp;
  }
}

/**
 * A LambdaInvoke whose state machine may invoke the function itself (its unqualified ARN) and not
 * its versions or aliases (`<arn>:*`, which LambdaInvoke grants too): the workflow calls none. The
 * rendered state is LambdaInvoke's.
 */
export class FunctionInvoke extends LambdaInvoke {
  protected override readonly taskPolicies: PolicyStatement[];

  constructor(scope: Construct, id: string, props: LambdaInvokeProps) {
    super(scope, id, props);
    this.taskPolicies = [
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [props.lambdaFunction.functionArn],
      }),
    ];
  }
}

/** A PutEvents task whose state machine may put only events whose source is {@link ANNOUNCEMENT_SOURCE}. */
class Announcement extends EventBridgePutEvents {
  constructor(scope: Construct, id: string, props: EventBridgePutEventsProps) {
    super(scope, id, props);
    for (const statement of this.taskPolicies ?? []) {
      statement.addCondition('StringEquals', { 'events:source': ANNOUNCEMENT_SOURCE });
    }
  }
}

/** `TIMED_OUT` → `TimedOut`. */
export function pascal(code: string): string {
  return code
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
