import './polyfills';
import { randomUUID } from 'node:crypto';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ExecutionAbortedError, ExecutionError, type StateMachine } from 'aws-local-stepfunctions';
import { STATE_NAMES } from '../infra/constructs/workflow/state-names';
import { RECORD_KEYS } from '../lambdas/shared/record/folder-record';
import { waitMilliseconds } from './aws/clock-waits';
import { type SynthesizedApp, synthesizeApp } from './aws/cloud-assembly';
import { LocalDynamoDb } from './aws/dynamodb';
import { matchesPattern } from './aws/event-pattern';
import { type ExecutionEntry, ExecutionRegistry, refuseOversizedResult } from './aws/executions';
import { LocalIam } from './aws/iam';
import { LOCAL_ACCOUNT, LOCAL_REGION, localPhysicalId, resolveIntrinsics } from './aws/intrinsics';
import { LocalLambda } from './aws/lambda';
import { LocalQueue } from './aws/queue';
import { LocalS3 } from './aws/s3';
import { LocalSecretsManager } from './aws/secrets-manager';
import { LocalSqs, LocalUnsupportedService } from './aws/sqs';
import { collectStates, type LocalStateMachine, loadStateMachines } from './aws/state-machines';
import {
  ExecutionAlreadyExistsError,
  LocalStepFunctionsEndpoint,
  StateMachineDoesNotExistError,
} from './aws/step-functions';
import { TaskTokens } from './aws/task-tokens';
import { type LocalClock, SYSTEM_CLOCK, VirtualClock } from './aws/virtual-clock';
import { type SimulatorOptions, VisualLayerSimulator } from './simulator/visual-layer-simulator';

/**
 * Waits that wait for the clock to pass a folder's quiet period, or for folders in flight to end (the
 * backfill's pause): they run in real time.
 */
const REAL_TIME_WAITS: string[] = [
  STATE_NAMES.settleWait,
  STATE_NAMES.appendSettleWait,
  STATE_NAMES.backfillPause,
];

/** One entry of an execution's event log, as aws-local-stepfunctions reports it. */
export type EventLog = StateMachine['run'] extends (...args: never[]) => {
  eventLogs: AsyncGenerator<infer E>;
}
  ? E
  : never;

/** Options of {@link LocalPipeline.start}. */
export interface LocalPipelineOptions {
  /** CDK context, as `cdk synth -c key=value` would pass it. */
  context?: Record<string, unknown>;
  /** How the Visual Layer simulator behaves. @default JWT auth with {@link LOCAL_CREDENTIALS} */
  simulator?: SimulatorOptions;
  /** Secret value the functions read. @default the simulator's API key and secret as JSON */
  secretValue?: string;
  /** Milliseconds each Wait state really waits (the definition's seconds are not waited). @default 0 */
  waitMs?: number;
  /** Milliseconds each Retry pause really waits. @default 0 */
  retryMs?: number;
  /** Reuse an app already synthesized with the same context (tests share one per file). */
  app?: SynthesizedApp;
  /** Milliseconds the queue's event source gathers a batch (5 s in AWS). @default 100 */
  batchWindowMs?: number;
  /** Batches of the queue handled at once. @default 4 */
  queueConcurrency?: number;
  /** Environment variables set on every function after the template's (e.g. a shorter request timeout). */
  functionEnvironment?: Record<string, string>;
  /** Sees every history event of every execution, with the execution's name. */
  onExecutionEvent?: (executionName: string, event: EventLog) => void;
  /**
   * `virtual`: one clock for Wait states, `$$.State.EnteredTime`, the functions and the simulator,
   * which stands still while anything works and jumps to the next wake-up when all is idle: hours of
   * waiting pass in seconds, and `waitMs`/`retryMs` do not apply (Retry pauses take no time).
   * @default 'system'
   */
  clock?: 'system' | 'virtual';
}

/** Credentials the local run uses unless told otherwise; they only open the simulator. */
export const LOCAL_CREDENTIALS = { apiKey: 'local-api-key', apiSecret: 'local-api-secret-0123456789abcdef' };

/** How an execution ended, with everything a test or a person may want to look at. */
export interface LocalExecution {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: unknown;
  /** For FAILED (and ABORTED, when the stop gave them): the error name and cause Step Functions would show. */
  error?: string;
  cause?: string;
  events: EventLog[];
  /** States entered plus retries: what Step Functions bills as state transitions. */
  transitions: number;
}

/** An execution started by name, as the local `StartExecution` keeps it. */
interface TrackedExecution {
  stateMachineArn: string;
  input: string;
  executionArn: string;
  done: Promise<LocalExecution>;
  result?: LocalExecution;
}

/**
 * A state machine the runtime stands in for with a function (one another part of the system owns, or a
 * test's): its input in, its output out; throwing fails the execution with the error's name and message.
 */
export type StandInMachine = (
  input: unknown,
  execution: { executionArn: string; name: string },
) => Promise<unknown>;

interface FunctionEntry {
  logicalId: string;
  /** Construct id in the stack: PlanFolder, CreateDataset, CheckStatus. */
  name: string;
  lambda: LocalLambda;
}

/**
 * The pipeline on a laptop: the real synthesized state machine executed by aws-local-stepfunctions,
 * its Lambda tasks running the real bundled handlers in process, its DynamoDB tasks against dynalite,
 * Secrets Manager and Visual Layer replaced by loopback servers. Nothing leaves 127.0.0.1.
 */
export class LocalPipeline {
  readonly simulator: VisualLayerSimulator;
  readonly secrets = new LocalSecretsManager();
  readonly dynamodb = new LocalDynamoDb();
  /** S3: the manifests the functions write, the folders they list, what Visual Layer reads. */
  readonly s3 = new LocalS3();
  /** IAM's `GetRole`, knowing the template's roles (tools such as `vl-ingest doctor` ask it). */
  readonly iam = new LocalIam();
  /** SQS's `GetQueueAttributes` of the dead-letter queue: what the runtime dead-lettered. */
  readonly sqs = new LocalSqs((queueUrl) => this.deadLetterDepth(queueUrl));
  /** Every AWS service the runtime has no stand-in for answers 501 here (`AWS_ENDPOINT_URL`). */
  private readonly unsupported = new LocalUnsupportedService();
  /** The loopback endpoint of each stand-in, once started. */
  readonly endpoints = {
    visualLayer: '',
    secretsManager: '',
    dynamodb: '',
    sfn: '',
    s3: '',
    sqs: '',
    iam: '',
    other: '',
  };
  /** Stand-ins for other state machines, by ARN: `StartExecution` of that ARN runs the function. */
  private readonly standIns = new Map<string, StandInMachine>();
  readonly functions = new Map<string, FunctionEntry>();
  /** JSON log lines the functions wrote. */
  readonly functionLogs: string[] = [];
  readonly queues = new Map<string, LocalQueue>();
  /**
   * Every execution started through `StartExecution` (the rule, the folding function, the backfill,
   * a test), of any state machine, by execution ARN.
   */
  readonly executions = new Map<string, TrackedExecution>();
  /** Events the state machine published on the default bus (how each folder ended). */
  readonly published: { source?: string; 'detail-type'?: string; detail: unknown }[] = [];
  /** Events the rule could not deliver, as EventBridge would keep them in the dead-letter queue. */
  readonly undeliverable: unknown[] = [];
  /** Every execution, started by name or run directly: what `DescribeExecution` answers from. */
  readonly runs = new ExecutionRegistry();
  /** "Execution Status Change" events Step Functions put on the default bus, in order. */
  readonly statusChanges: Record<string, unknown>[] = [];
  /** Asynchronous invocations (a rule's Lambda target) whose every try failed, with the last error. */
  readonly failedInvocations: { function: string; event: unknown; error: string }[] = [];
  tableName = '';
  ledgerTableName = '';
  /** The gate's table (semaphore and waiting list), when the stack has a gate. */
  gateTableName = '';
  /** The backfill's table (its runs: one per prefix, the lock and the progress). */
  backfillTableName = '';
  /** The task tokens of `.waitForTaskToken` tasks: `SendTaskSuccess`/`SendTaskFailure` answer them. */
  readonly tokens = new TaskTokens();
  secretId = '';
  /** The state machine that ingests a folder (the one `run` and the rules start). */
  stateMachineArn = '';
  /** The backfill's state machine, when the template has one. */
  backfillStateMachineArn = '';
  /** Every state machine of the template, by ARN. */
  private readonly machines = new Map<string, LocalStateMachine>();
  private readonly sfnEndpoint = new LocalStepFunctionsEndpoint({
    startExecution: (request) =>
      this.standIns.has(request.stateMachineArn)
        ? this.startStandIn(request.stateMachineArn, request.name, request.input)
        : this.startNamed(request.name, request.input, request.stateMachineArn),
    describeExecution: (request) => this.runs.describe(request.executionArn),
    stopExecution: (request) => this.runs.stop(request.executionArn, request.error, request.cause),
    sendTaskSuccess: (request) => {
      this.tokens.succeed(request.taskToken, request.output);
      return {};
    },
    sendTaskFailure: (request) => {
      this.tokens.fail(request.taskToken, request.error, request.cause);
      return {};
    },
  });
  private rules: { pattern: Record<string, unknown>; targets: string[] }[] = [];
  private schedules: { expression: string; targets: string[] }[] = [];
  private readonly invocations = new Set<Promise<void>>();
  /** Resolves when the execution of that ARN has ended. */
  private readonly ended = new Map<string, Promise<void>>();
  private restoreOutput?: () => void;
  private ownsApp = false;
  /** The time every part of this pipeline reads (see {@link LocalPipelineOptions.clock}). */
  readonly clock: LocalClock;
  private releaseClock?: () => void;

  private constructor(
    readonly app: SynthesizedApp,
    private readonly options: LocalPipelineOptions,
  ) {
    this.simulator = new VisualLayerSimulator(
      options.simulator ?? { auth: { mode: 'jwt', ...LOCAL_CREDENTIALS } },
    );
    this.clock = options.clock === 'virtual' ? new VirtualClock() : SYSTEM_CLOCK;
    this.simulator.now = () => this.clock.now();
    this.simulator.media.objects = this.s3;
  }

  /** Synthesizes (unless given an app), starts the local services and loads the functions. */
  static async start(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
    const app = options.app ?? synthesizeApp(options.context);
    const pipeline = new LocalPipeline(app, options);
    pipeline.ownsApp = !options.app;
    try {
      await pipeline.boot();
    } catch (error) {
      await pipeline.stop();
      throw error;
    }
    return pipeline;
  }

  private async boot(): Promise<void> {
    const { template } = this.app;
    const [vlUrl, secretsUrl, dynamoUrl, sfnUrl, s3Url, sqsUrl, iamUrl, otherUrl] = await Promise.all([
      this.simulator.start(),
      this.secrets.start(),
      this.dynamodb.start(),
      this.sfnEndpoint.start(),
      this.s3.start(),
      this.sqs.start(),
      this.iam.start(),
      this.unsupported.start(),
    ]);
    Object.assign(this.endpoints, {
      visualLayer: vlUrl,
      secretsManager: secretsUrl,
      dynamodb: dynamoUrl,
      sfn: sfnUrl,
      s3: s3Url,
      sqs: sqsUrl,
      iam: iamUrl,
      other: otherUrl,
    });
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const name = localPhysicalId(template, id);
      await this.dynamodb.createTableFromTemplate(name, resource.Properties ?? {});
      if (id.startsWith('Records')) this.tableName = name;
      if (id.startsWith('Ledger')) this.ledgerTableName = name;
      if (id.startsWith('Gate')) this.gateTableName = name;
      if (id.startsWith('Backfill')) this.backfillTableName = name;
    }

    for (const machine of loadStateMachines(template, this.clock instanceof VirtualClock)) {
      this.machines.set(machine.arn, machine);
      if (machine.logicalId.startsWith('Backfill')) this.backfillStateMachineArn = machine.arn;
      else if (!this.stateMachineArn || machine.logicalId.startsWith('Workflow'))
        this.stateMachineArn = machine.arn;
    }
    if (this.clock instanceof VirtualClock) {
      this.releaseClock = this.clock.drive();
      this.clock.idleWhen = () =>
        this.invocations.size === 0 && [...this.queues.values()].every((q) => q.isIdle());
    }

    const baseEnv = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsUrl,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_SFN: sfnUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_LAMBDA_FUNCTION_NAME: 'local',
      // No X-Ray here (Powertools Tracer is off outside Lambda); without it the X-Ray SDK would add an
      // async hook to this process each time a bundle is loaded.
      AWS_XRAY_MANUAL_MODE: 'true',
    };
    this.captureFunctionLogs();
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const assetDir = this.app.functionAssets[logicalId];
      if (!assetDir) throw new Error(`no bundled code for ${logicalId}`);
      const variables = (resolveIntrinsics(
        (resource.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
        template,
      ) ?? {}) as Record<string, string>;
      const env: Record<string, string> = { ...baseEnv, ...variables, ...this.options.functionEnvironment };
      if (env.VL_BASE_URL) env.VL_BASE_URL = vlUrl;
      if (env.VL_SECRET_ID) this.secretId = env.VL_SECRET_ID;
      // The function's construct id (`VlIngest/Trigger/FoldEvents/Resource` → FoldEvents).
      const cdkPath = String(resource.Metadata?.['aws:cdk:path'] ?? logicalId);
      const name = cdkPath.split('/').at(-2) ?? logicalId;
      const lambda = new LocalLambda(name, assetDir, env);
      this.functions.set(localPhysicalId(template, logicalId), { logicalId, name, lambda });
    }
    if (this.secretId)
      this.secrets.setSecret(this.secretId, this.options.secretValue ?? JSON.stringify(LOCAL_CREDENTIALS));
    for (const { lambda } of this.functions.values()) lambda.load();
    this.wireEvents();
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::IAM::Role') continue;
      const trust = resolveIntrinsics(resource.Properties?.AssumeRolePolicyDocument ?? {}, template);
      this.iam.roles.set(id, { arn: localPhysicalId(template, id), trustPolicy: JSON.stringify(trust) });
    }
  }

  /** Reads the rule(s), queues and event source mappings of the template and connects them. */
  private wireEvents(): void {
    const { template } = this.app;
    const arnOf = (value: unknown) => String(resolveIntrinsics(value, template));
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
      const props = resource.Properties ?? {};
      const queueArn = arnOf(props.EventSourceArn);
      const queueId = Object.keys(template.Resources).find((q) => localPhysicalId(template, q) === queueArn);
      const redrive = (queueId ? template.Resources[queueId]?.Properties?.RedrivePolicy : undefined) as
        | { maxReceiveCount?: number }
        | undefined;
      const fn = this.functions.get(
        localPhysicalId(template, String((props.FunctionName as { Ref: string }).Ref)),
      );
      if (!fn) throw new Error(`event source mapping ${id} has no local function`);
      this.queues.set(
        queueArn,
        new LocalQueue({
          queueArn,
          batchSize: Number(props.BatchSize ?? 10),
          batchWindowMs: this.options.batchWindowMs ?? 100,
          maxReceiveCount: redrive?.maxReceiveCount ?? Number.POSITIVE_INFINITY,
          concurrency: this.options.queueConcurrency ?? 4,
          visibilityMs: 50,
          handle: async (records) => {
            const out = await fn.lambda.invoke({ Records: records });
            const payload = out.Payload as { batchItemFailures?: { itemIdentifier: string }[] } | null;
            return (payload?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
          },
        }),
      );
    }
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Events::Rule') continue;
      const props = resource.Properties ?? {};
      const targets = ((props.Targets as { Arn: unknown }[] | undefined) ?? []).map((t) => arnOf(t.Arn));
      if (typeof props.ScheduleExpression === 'string') {
        this.schedules.push({ expression: props.ScheduleExpression, targets });
      } else {
        this.rules.push({
          pattern: resolveIntrinsics(props.EventPattern, template) as Record<string, unknown>,
          targets,
        });
      }
    }
  }

  /**
   * Puts an event on the default bus: every rule whose pattern matches delivers it to its targets
   * (the queue, the state machine, or a function). Returns whether any rule matched.
   */
  deliver(event: unknown): boolean {
    let matched = false;
    for (const rule of this.rules) {
      if (!matchesPattern(event, rule.pattern)) continue;
      matched = true;
      for (const target of rule.targets) this.sendToTarget(target, event);
    }
    return matched;
  }

  /**
   * Fires every scheduled rule once, as if its rate had come round, and resolves when the functions
   * it invoked are done. Returns the schedule expressions fired.
   */
  async runScheduledRules(): Promise<string[]> {
    for (const schedule of this.schedules) {
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: LOCAL_ACCOUNT,
        time: new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: [],
        detail: {},
      };
      for (const target of schedule.targets) this.sendToTarget(target, event);
    }
    await this.functionsIdle();
    return this.schedules.map((s) => s.expression);
  }

  private sendToTarget(target: string, event: unknown): void {
    const queue = this.queues.get(target);
    const fn = this.functions.get(target);
    if (queue) queue.send(JSON.stringify(event));
    else if (target.includes(':stateMachine:')) this.startNamed(undefined, JSON.stringify(event), target);
    else if (fn) this.invokeAsync(fn, event);
    else this.undeliverable.push(event);
  }

  /**
   * An asynchronous invocation, as EventBridge makes of a Lambda target: the event is queued, and
   * a failed invocation is tried twice more (Lambda's default) before it counts as failed.
   */
  private invokeAsync(fn: FunctionEntry, event: unknown): void {
    const invocation = (async () => {
      let lastError = '';
      for (let attempt = 0; attempt < 3; attempt += 1) {
        try {
          await fn.lambda.invoke(event);
          return;
        } catch (error) {
          lastError = error instanceof Error ? error.message : String(error);
        }
      }
      this.failedInvocations.push({ function: fn.name, event, error: lastError });
    })();
    this.invocations.add(invocation);
    void invocation.finally(() => this.invocations.delete(invocation));
  }

  /** Resolves once every asynchronous invocation (of a rule's Lambda target) has ended. */
  async functionsIdle(): Promise<void> {
    while (this.invocations.size > 0) await Promise.allSettled([...this.invocations]);
  }

  /**
   * `StopExecution`: the running execution ends ABORTED, with the error and cause given. Resolves
   * once it has ended and its status change is on the bus.
   */
  async stopExecution(executionArn: string, error?: string, cause?: string): Promise<void> {
    this.runs.stop(executionArn, error, cause);
    await this.ended.get(executionArn);
  }

  /**
   * Starts an execution as `StartExecution` does: a name already used with the same input while that
   * execution runs returns it again; otherwise a used name is refused. Without a state machine ARN,
   * the one that ingests a folder.
   */
  startNamed(
    name: string | undefined,
    input: string | undefined,
    stateMachineArn = this.stateMachineArn,
  ): { executionArn: string; startDate: number } {
    if (!this.machines.has(stateMachineArn))
      throw new StateMachineDoesNotExistError(`State Machine Does Not Exist: '${stateMachineArn}'`);
    const executionName = name ?? randomUUID();
    const body = input ?? '{}';
    const executionArn = executionArnOf(stateMachineArn, executionName);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.input === body && !existing.result) {
        return { executionArn, startDate: this.clock.now() / 1000 };
      }
      throw new ExecutionAlreadyExistsError(`Execution Already Exists: '${executionArn}'`);
    }
    const entry: TrackedExecution = {
      stateMachineArn,
      input: body,
      executionArn,
      done: this.execute(stateMachineArn, executionName, JSON.parse(body)),
    };
    this.executions.set(executionArn, entry);
    entry.done.then(
      (result) => {
        entry.result = result;
      },
      () => undefined,
    );
    return { executionArn, startDate: this.clock.now() / 1000 };
  }

  /** Lets `StartExecution` of another state machine ARN run `run` as that machine's executions. */
  addStandInMachine(stateMachineArn: string, run: StandInMachine): void {
    this.standIns.set(stateMachineArn, run);
  }

  private startStandIn(
    stateMachineArn: string,
    name: string | undefined,
    input: string | undefined,
  ): { executionArn: string; startDate: number } {
    const run = this.standIns.get(stateMachineArn);
    if (!run) throw new Error(`no stand-in for ${stateMachineArn}`);
    const executionName = name ?? randomUUID();
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    if (this.runs.has(executionArn)) {
      throw new ExecutionAlreadyExistsError(`Execution Already Exists: '${executionArn}'`);
    }
    const entry: ExecutionEntry = {
      executionArn,
      stateMachineArn,
      name: executionName,
      input: input ?? '{}',
      startDate: new Date(this.clock.now()),
      status: 'RUNNING',
    };
    this.runs.add(entry);
    const ended = run(JSON.parse(entry.input), { executionArn, name: executionName }).then(
      (output) => Object.assign(entry, { status: 'SUCCEEDED', output, stopDate: new Date(this.clock.now()) }),
      (error: unknown) =>
        Object.assign(entry, {
          status: 'FAILED',
          error: error instanceof Error ? error.name : 'Error',
          cause: error instanceof Error ? error.message : String(error),
          stopDate: new Date(this.clock.now()),
        }),
    );
    this.ended.set(
      executionArn,
      ended.then(() => undefined),
    );
    return { executionArn, startDate: entry.startDate.getTime() / 1000 };
  }

  /**
   * The environment a tool run against this runtime needs (`vl-ingest --outputs-file …`): local
   * credentials and region, the stand-ins' endpoints, and for every other service an endpoint that
   * answers 501, so nothing reaches AWS.
   */
  toolEnvironment(): Record<string, string> {
    return {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL: this.endpoints.other,
      AWS_ENDPOINT_URL_DYNAMODB: this.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SFN: this.endpoints.sfn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.endpoints.secretsManager,
      AWS_ENDPOINT_URL_SQS: this.endpoints.sqs,
      AWS_ENDPOINT_URL_IAM: this.endpoints.iam,
      AWS_ENDPOINT_URL_S3: this.endpoints.s3,
    };
  }

  /** Messages in the dead-letter queue of that URL: the events and messages this runtime dead-lettered. */
  private deadLetterDepth(queueUrl: string): number | undefined {
    const name = queueUrl.split('/').at(-1) ?? '';
    if (this.app.template.Resources[name]?.Type !== 'AWS::SQS::Queue' || !name.includes('DeadLetters')) {
      return undefined;
    }
    const queued = [...this.queues.values()].reduce((sum, q) => sum + q.deadLetters.length, 0);
    return this.undeliverable.length + queued;
  }

  /** The backfill: starts its state machine with `input` (`{}`, or `{"prefix": …}`), as `StartExecution` would. */
  startBackfill(input: Record<string, unknown> = {}, name?: string): string {
    if (!this.backfillStateMachineArn) throw new Error('the template has no backfill state machine');
    return this.startNamed(name, JSON.stringify(input), this.backfillStateMachineArn).executionArn;
  }

  /** Resolves once every queue is drained and every execution has ended (one feeds the other, so it loops). */
  async settled(): Promise<LocalExecution[]> {
    for (;;) {
      await Promise.all([...this.queues.values()].map((q) => q.idle()));
      const running = this.runs.all().filter((e) => e.status === 'RUNNING');
      const quiet = [...this.queues.values()].every((q) => q.isIdle()) && this.invocations.size === 0;
      if (running.length === 0 && quiet) break;
      await Promise.allSettled([...running.map((e) => this.ended.get(e.executionArn)), ...this.invocations]);
      // Let the `then` that stores each result run before looking again.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return [...this.executions.values()].flatMap((e) => (e.result ? [e.result] : []));
  }

  /** The local function by construct id (`PlanFolder`, `CreateDataset`, `CheckStatus`). */
  fn(name: string): LocalLambda {
    for (const entry of this.functions.values()) if (entry.name === name) return entry.lambda;
    throw new Error(`no function ${name}`);
  }

  /**
   * Runs one execution with `event` as its input, to the end, as if the event had been given to
   * `StartExecution` directly; `onEvent` sees each history event as it happens.
   */
  async run(event: unknown, onEvent?: (event: EventLog) => void): Promise<LocalExecution> {
    return this.execute(this.stateMachineArn, randomUUID(), event, onEvent);
  }

  private async execute(
    stateMachineArn: string,
    name: string,
    event: unknown,
    onEvent?: (event: EventLog) => void,
  ): Promise<LocalExecution> {
    const local = this.machines.get(stateMachineArn);
    if (!local) throw new Error('LocalPipeline is not started');
    const { machine, definition } = local;
    const executionArn = executionArnOf(stateMachineArn, name);
    const states = collectStates(definition.States);
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<never>> = {};
    const clock = this.clock;
    const tokens = this.tokens;
    for (const [stateName, state] of states) {
      const wait = local.clockWaits.get(stateName);
      const tokenTimeout = local.tokenTimeouts.get(stateName);
      if (state.Type === 'Task' && tokenTimeout) {
        const inner = (state.Resource ?? '').replace(/\.waitForTaskToken$/, '');
        taskResourceLocalHandlers[stateName] = async (input) => {
          const run = (parameters: unknown) => clock.track(() => this.runTask(inner, parameters));
          const result = await this.tokens.run(executionArn, input, tokenTimeout, clock, run);
          refuseOversizedResult(stateName, result);
          return result as never;
        };
      } else if (state.Type === 'Task' && wait) {
        taskResourceLocalHandlers[stateName] = async (input) => {
          await clock.sleep(waitMilliseconds(wait, input, clock.now()));
          return input as never;
        };
      } else if (state.Type === 'Task') {
        taskResourceLocalHandlers[stateName] = async (input) => {
          const result = await clock.track(() => this.runTask(state.Resource ?? '', input));
          refuseOversizedResult(stateName, result);
          return result as never;
        };
      }
    }
    const waitMs = this.options.waitMs ?? 0;
    const retryMs = this.options.retryMs ?? 0;
    const execution = machine.run(event as never, {
      overrides: {
        taskResourceLocalHandlers: taskResourceLocalHandlers as never,
        // Poll waits are shortened; the settle wait runs in real time, because it waits for the
        // clock to pass the folder's quiet period (tests and the demo use a short quietSeconds).
        waitTimeOverrides: Object.fromEntries(
          [...states]
            .filter(([n, s]) => s.Type === 'Wait' && !REAL_TIME_WAITS.includes(n))
            .map(([n]) => [n, waitMs]),
        ),
        retryIntervalOverrides: Object.fromEntries([...states].map(([n]) => [n, retryMs])),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/local`,
          StartTime: new Date(clock.now()).toISOString(),
        },
        StateMachine: { Id: stateMachineArn, Name: stateMachineArn.split(':').at(-1) },
        // A fresh token each time a task's Parameters read it, as each task attempt gets one.
        Task: {
          get Token() {
            return tokens.issue(executionArn);
          },
        },
        // Step Functions sets State.EnteredTime per state; a getter gives each read the current time.
        State: {
          get EnteredTime() {
            return new Date(clock.now()).toISOString();
          },
        },
      },
    });
    const events: EventLog[] = [];
    const collecting = (async () => {
      for await (const e of execution.eventLogs) {
        events.push(e);
        onEvent?.(e);
        this.options.onExecutionEvent?.(name, e);
      }
    })();
    let stopped: { error?: string; cause?: string } = {};
    const timeout = this.keepTimeout(local.timeoutSeconds, () => {
      tokens.expire(executionArn);
      execution.abort();
    });
    const entry: ExecutionEntry = {
      executionArn,
      stateMachineArn,
      name,
      input: JSON.stringify(event ?? {}),
      startDate: new Date(clock.now()),
      status: 'RUNNING',
      abort: (error, cause) => {
        stopped = { error, cause };
        tokens.expire(executionArn);
        execution.abort();
      },
    };
    this.runs.add(entry);
    let ended = () => {};
    this.ended.set(executionArn, new Promise<void>((resolve) => (ended = resolve)));
    this.announceStatus(entry);
    let outcome: Omit<LocalExecution, 'events' | 'transitions'>;
    try {
      const output = await execution.result;
      outcome = { executionArn, status: 'SUCCEEDED', output };
    } catch (error) {
      if (error instanceof ExecutionError) {
        const cause = error.cause as Error | undefined;
        outcome = { executionArn, status: 'FAILED', error: cause?.name, cause: cause?.message };
      } else if (error instanceof ExecutionAbortedError && timeout.fired()) {
        outcome = { executionArn, status: 'TIMED_OUT' };
      } else if (error instanceof ExecutionAbortedError) {
        outcome = { executionArn, status: 'ABORTED', ...stopped };
      } else if (error instanceof Error && error.name === 'ExecutionTimeoutError') {
        outcome = { executionArn, status: 'TIMED_OUT' };
      } else {
        timeout.cancel();
        Object.assign(entry, {
          status: 'FAILED',
          error: 'LocalRuntimeError',
          stopDate: new Date(clock.now()),
        });
        ended();
        throw error;
      }
    }
    timeout.cancel();
    tokens.expire(executionArn);
    await collecting;
    Object.assign(entry, { ...outcome, stopDate: new Date(clock.now()), abort: undefined });
    ended();
    this.announceStatus(entry);
    const transitions = events.filter((e) => e.type === 'StateEntered' || e.type === 'StateRetried').length;
    return { ...outcome, events, transitions };
  }

  /**
   * On a virtual clock, the state machine's timeout: `onTimeout` runs once it has passed (the
   * execution then ends TIMED_OUT). On the system clock the interpreter keeps it.
   */
  private keepTimeout(
    timeoutSeconds: number | undefined,
    onTimeout: () => void,
  ): { fired: () => boolean; cancel: () => void } {
    const done = new AbortController();
    let fired = false;
    if (this.clock instanceof VirtualClock && timeoutSeconds) {
      void this.clock.sleep(timeoutSeconds * 1000, done.signal).then(() => {
        if (done.signal.aborted) return;
        fired = true;
        onTimeout();
      });
    }
    return { fired: () => fired, cancel: () => done.abort() };
  }

  /** Step Functions' "Execution Status Change" event, on the default bus: rules may act on it. */
  private announceStatus(entry: ExecutionEntry): void {
    const event = this.runs.statusChangeEvent(entry);
    this.statusChanges.push(event);
    this.deliver(event);
  }

  /** Dispatches a Task state to the local stand-in of its service. */
  private async runTask(resource: string, input: unknown): Promise<unknown> {
    const params = input as Record<string, unknown>;
    if (resource.endsWith(':states:::lambda:invoke')) {
      const entry = this.functions.get(String(params.FunctionName));
      if (!entry) throw new Error(`unknown function ${String(params.FunctionName)}`);
      return entry.lambda.invoke(params.Payload);
    }
    if (resource.endsWith(':states:::events:putEvents')) return this.putEvents(params.Entries);
    if (resource.endsWith(':states:::states:startExecution')) return this.startFromTask(params);
    const dynamo = resource.match(/:states:::dynamodb:(\w+)$/);
    if (dynamo) return this.dynamodb.serviceIntegration(dynamo[1] as string, params);
    throw new Error(`the local runtime has no stand-in for ${resource}`);
  }

  /**
   * `states:startExecution` (request-response), as a state machine calls it to start another execution
   * (or one of itself): the input may be given as JSON text or as an object.
   */
  private startFromTask(params: Record<string, unknown>): { ExecutionArn: string; StartDate: string } {
    const input = typeof params.Input === 'string' ? params.Input : JSON.stringify(params.Input ?? {});
    try {
      const name = typeof params.Name === 'string' ? params.Name : undefined;
      const out = this.startNamed(name, input, String(params.StateMachineArn));
      return { ExecutionArn: out.executionArn, StartDate: new Date(out.startDate * 1000).toISOString() };
    } catch (error) {
      // The service integration's error names, as Catch and Retry rules match them.
      if (error instanceof Error) error.name = `StepFunctions.${error.name}Exception`;
      throw error;
    }
  }

  /** `events:putEvents` on the default bus: keeps each event in {@link published} and offers it to the rules. */
  private putEvents(entries: unknown): { Entries: { EventId: string }[]; FailedEntryCount: number } {
    const list = (Array.isArray(entries) ? entries : []) as {
      Source?: string;
      DetailType?: string;
      Detail?: unknown;
    }[];
    const ids = list.map((entry) => {
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: LOCAL_ACCOUNT,
        time: new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
        region: LOCAL_REGION,
        resources: [],
        detail: typeof entry.Detail === 'string' ? JSON.parse(entry.Detail) : entry.Detail,
      };
      this.published.push(event);
      this.deliver(event);
      return { EventId: event.id };
    });
    return { Entries: ids, FailedEntryCount: 0 };
  }

  /** The record of a folder, as plain JSON, or undefined. */
  async record(folderUri: string): Promise<Record<string, unknown> | undefined> {
    const client = this.dynamodb.client;
    if (!client) throw new Error('LocalPipeline is not started');
    const out = await client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [RECORD_KEYS.partitionKey]: { S: folderUri } },
        ConsistentRead: true,
      }),
    );
    return out.Item ? unmarshall(out.Item) : undefined;
  }

  /** Every record. */
  async records(): Promise<Record<string, unknown>[]> {
    const items = await this.dynamodb.scan(this.tableName);
    return items.map((i) => unmarshall(i as never));
  }

  /** Stops every server it started and removes the synthesized app it made. */
  async stop(): Promise<void> {
    for (const queue of this.queues.values()) queue.stop();
    await this.functionsIdle();
    if (this.clock instanceof VirtualClock) this.clock.stop();
    this.releaseClock?.();
    this.restoreOutput?.();
    await Promise.all([
      this.simulator.stop(),
      this.secrets.stop(),
      this.dynamodb.stop(),
      this.sfnEndpoint.stop(),
      this.s3.stop(),
      this.sqs.stop(),
      this.iam.stop(),
      this.unsupported.stop(),
    ]);
    if (this.ownsApp) this.app.dispose();
  }

  /**
   * Keeps the functions' JSON log lines and metrics (Powertools writes them to stdout/stderr; metrics
   * as EMF lines, `{"_aws":…}`) off the console.
   */
  private captureFunctionLogs(): void {
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((s) => s.write.bind(s));
    streams.forEach((stream, i) => {
      const original = originals[i] as typeof stream.write;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
        if (
          text.startsWith('{"level":') ||
          text.startsWith('{"cold_start":') ||
          text.startsWith('{"_aws":') ||
          text.includes('"service":"vl-ingest"')
        ) {
          this.functionLogs.push(...text.split('\n').filter(Boolean));
          const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
          callback?.();
          return true;
        }
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
    });
    this.restoreOutput = () => {
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      });
    };
  }
}

function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}
