import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  InvalidToken,
  SendTaskSuccessCommand,
  type SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { GateStore, Waiter } from './gate-store';

/** How the gate reaches the executions it resumes. */
export interface GatedExecutions {
  /** Resumes a parked execution: `delivered`, or `gone` when its task no longer waits for the token. */
  resume(token: string, output: object): Promise<'delivered' | 'gone'>;
  /** Whether the execution still runs. */
  isRunning(executionArn: string): Promise<boolean>;
}

/** Most hand-overs one pump makes: each takes a waiter off the list, so this only guards a runaway. */
const MAX_HANDOVERS = 1000;

/**
 * A bound on datasets in flight: a semaphore of `limit` slots and a waiting list. An execution takes
 * a slot before it creates its dataset and gives it back at its end, whatever the end; one that finds
 * no slot parks (its task waits for a token, no compute) on the waiting list, and whoever frees a
 * slot hands it to the first waiter. Every change that may leave a slot free next to a waiter ends
 * with {@link pump}, so no waiter is forgotten; no slot has a time limit.
 */
export class DatasetGate {
  constructor(
    private readonly store: GateStore,
    private readonly executions: GatedExecutions,
  ) {}

  /**
   * Takes a slot for the execution unless others wait for one (they go first): true when it holds
   * one now (also when it already did: a repeated acquire).
   */
  async acquire(executionArn: string): Promise<boolean> {
    if (await this.store.firstWaiter()) return false;
    return (await this.store.take(executionArn)) !== 'full';
  }

  /**
   * Puts the execution on the waiting list, then hands free slots to the waiters in turn — this one
   * included, should a slot have come free meanwhile.
   */
  async park(waiter: Waiter): Promise<void> {
    await this.store.addWaiter(waiter);
    await this.pump();
  }

  /** How many hold a slot and how many wait, as stored now. */
  async occupancy(): Promise<{ inFlight: number; waiting: number }> {
    const [holders, waiters] = await Promise.all([this.store.holders(), this.store.waiters()]);
    return { inFlight: holders.length, waiting: waiters.length };
  }

  /**
   * The end of an execution, whatever it was: takes it off the waiting list, gives back its slot and
   * hands the slot on. True when it held one.
   */
  async release(executionArn: string): Promise<boolean> {
    for (const waiter of await this.store.waiters()) {
      if (waiter.executionArn === executionArn) await this.store.removeWaiter(waiter);
    }
    const released = await this.store.release(executionArn);
    await this.pump();
    return released;
  }

  /**
   * Hands free slots to the waiters in turn: takes a slot in the first waiter's name, resumes it
   * with its token and takes it off the list. A waiter whose execution no longer runs gives its
   * slot straight back. Returns how many were resumed.
   */
  async pump(): Promise<number> {
    let resumed = 0;
    for (let i = 0; i < MAX_HANDOVERS; i += 1) {
      const waiter = await this.store.firstWaiter();
      if (!waiter) break;
      if ((await this.store.take(waiter.executionArn)) === 'full') break;
      // Taken now, or held already (a pump that stopped half-way): either way it may go on.
      const outcome = await this.executions.resume(waiter.token, { slot: 'handed over' });
      await this.store.removeWaiter(waiter);
      if (outcome === 'delivered') resumed += 1;
      else if (!(await this.executions.isRunning(waiter.executionArn))) {
        await this.store.release(waiter.executionArn);
      }
    }
    return resumed;
  }

  /**
   * The slots and waiting places of executions that no longer run (an end that was missed): what
   * {@link sweep} gives back. Writes nothing.
   */
  async stale(): Promise<{ holders: string[]; waiters: Waiter[] }> {
    const holders: string[] = [];
    for (const executionArn of await this.store.holders()) {
      if (!(await this.executions.isRunning(executionArn))) holders.push(executionArn);
    }
    const waiters: Waiter[] = [];
    for (const waiter of await this.store.waiters()) {
      if (!(await this.executions.isRunning(waiter.executionArn))) waiters.push(waiter);
    }
    return { holders, waiters };
  }

  /**
   * Gives back the slots of executions that no longer run and takes their waiters off the list, in
   * case an end was missed; then hands the freed slots on. Returns the executions released.
   */
  async sweep(): Promise<string[]> {
    const stale = await this.stale();
    const released: string[] = [];
    for (const executionArn of stale.holders) {
      if (await this.store.release(executionArn)) released.push(executionArn);
    }
    for (const waiter of stale.waiters) await this.store.removeWaiter(waiter);
    await this.pump();
    return released;
  }
}

/** The gate's view of Step Functions: `SendTaskSuccess` and `DescribeExecution`. */
export function stepFunctionsExecutions(sfn: SFNClient): GatedExecutions {
  return {
    async resume(token, output) {
      try {
        await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
        return 'delivered';
      } catch (error) {
        if (
          error instanceof TaskTimedOut ||
          error instanceof TaskDoesNotExist ||
          error instanceof InvalidToken
        ) {
          return 'gone';
        }
        throw error;
      }
    },
    async isRunning(executionArn) {
      try {
        const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return out.status === 'RUNNING';
      } catch (error) {
        if (error instanceof ExecutionDoesNotExist) return false;
        throw error;
      }
    },
  };
}
