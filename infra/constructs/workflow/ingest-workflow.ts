import type { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IChainable, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { AppendPhase } from './append-phase';
import { startNextAppend } from './append-tasks';
import { BudgetedDefinition } from './bounded-definition';
import { CreateAndPollPhase } from './create-and-poll-phase';
import { EventStartPhase } from './event-start-phase';
import { FailurePhase } from './failure-phase';
import { GatePhase, slotReleaser } from './gate-phase';
import { MarkerListingPhase } from './marker-listing-phase';
import { observedStateMachine } from './observed-state-machine';
import { WorkflowTasks } from './tasks';

/**
 * The phases an entry continues with: plan and claim an object event, create for a claimed folder,
 * or (with appends) run an append batch, whose input has `append`.
 */
export interface EntryPhases {
  readonly eventStart: EventStartPhase;
  readonly create: IChainable;
  readonly append?: IChainable;
}

/** What the workflow needs to append late objects to a folder's dataset (`lateObjects=append`). */
export interface WorkflowAppendProps {
  readonly appendFunction: IFunction;
  /** Quiet trigger: batches wait until the folder is quiet. */
  readonly settleFunction?: IFunction;
  /** Marker trigger: a newer marker lists the folder into the ledger. */
  readonly listFunction?: IFunction;
  /** `reindex=manual`: the status that ends a batch besides READY (`PARTIAL_INDEX`). */
  readonly endsAt?: string;
}

/** How executions begin: what a trigger hands the workflow. */
export interface WorkflowEntry {
  /** Longest an execution may spend before its create (settling). @default none */
  readonly settleCap?: Duration;
  /**
   * The first state of every execution. `eventStart` plans and claims a folder from an object event;
   * `create` is where a claimed folder continues. The entry connects its own states to `create`.
   */
  startWith(scope: Construct, tasks: WorkflowTasks, phases: EntryPhases): IChainable;
}

/** Props of {@link IngestWorkflow}. */
export interface IngestWorkflowProps {
  readonly table: ITable;
  readonly planFunction: IFunction;
  readonly createFunction: IFunction;
  readonly statusFunction: IFunction;
  /** How executions begin (the trigger's part of the workflow). */
  readonly entry: WorkflowEntry;
  /** First (and shortest) wait before a status check, in seconds. */
  readonly pollIntervalSeconds: number;
  /** Give up after this many minutes of indexing. */
  readonly maxWaitMinutes: number;
  /** Key that encrypts the execution log group. @default CloudWatch Logs' own encryption */
  readonly logKey?: IKey;
  /** The gate on datasets in flight: its function and its slots. @default no gate */
  readonly gate?: { readonly gateFunction: IFunction; readonly maxConcurrentDatasets: number };
  /** Append late objects to the folder's dataset. @default they are only recorded */
  readonly append?: WorkflowAppendProps;
}

/**
 * The Standard state machine that turns a folder into a recorded dataset, as phases: the trigger's
 * entry (plan and claim an object event, or settle a claimed folder) → create and poll → one outcome
 * record each for READY, ERROR and TIMED_OUT, and one failure record for everything caught on the way.
 * Every path that passes the claim ends with a record; every Task has a timeout, and so has the
 * execution: the settle cap and the attempt's deadline, each overrun by at most one stretch of work
 * between two waits.
 */
export class IngestWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: IngestWorkflowProps) {
    super(scope, id);
    const tasks = new WorkflowTasks(this, props.table);
    // Every end gives back the slot of the gate: set before the phases that end executions are built.
    if (props.gate) tasks.slotRelease = slotReleaser(props.gate.gateFunction);
    new FailurePhase(this, 'Failure', tasks);
    new FailurePhase(this, 'GiveUp', tasks, 'TIMED_OUT');
    const gate = props.gate ? new GatePhase(this, 'Gate', tasks, props.gate) : undefined;
    const { append } = props;
    const appendFunction = append?.appendFunction;
    const settleNext = append?.settleFunction !== undefined;
    if (appendFunction) {
      // Objects that arrived while the dataset was created and indexed become its first append.
      tasks.afterReady = (scope, end) =>
        startNextAppend(scope, 'StartPendingAppend', tasks, { appendFunction, settleNext }, end);
    }
    const create = new CreateAndPollPhase(this, 'CreateAndPoll', tasks, { ...props, gate });
    const listing =
      appendFunction && append?.listFunction
        ? new MarkerListingPhase(this, 'MarkerListing', tasks, {
            listFunction: append.listFunction,
            appendFunction,
          })
        : undefined;
    const eventStart = new EventStartPhase(this, 'EventStart', tasks, props.planFunction, listing);
    eventStart.next(create);
    const appendPhase = appendFunction
      ? new AppendPhase(this, 'Append', tasks, {
          appendFunction,
          statusFunction: props.statusFunction,
          settleFunction: append?.settleFunction,
          pollIntervalSeconds: props.pollIntervalSeconds,
          endsAt: append?.endsAt,
          settleNext,
          gate: props.gate,
        })
      : undefined;
    const definition = props.entry.startWith(this, tasks, { eventStart, create, append: appendPhase });

    // The timeout is derived from the loops' windows and the rendered states; synth fails when the
    // worst history does not fit (see budget.ts).
    const body = new BudgetedDefinition(definition, [
      ...(props.entry.settleCap ? [props.entry.settleCap.toSeconds()] : []),
      props.maxWaitMinutes * 60,
    ]);
    this.stateMachine = observedStateMachine(this, body, props.logKey);
  }
}
