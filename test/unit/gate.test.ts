import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatasetGate, type GatedExecutions } from '../../lambdas/shared/gate/gate';
import { GATE_KEYS, GateStore, type Waiter } from '../../lambdas/shared/gate/gate-store';
import { LocalDynamoDb } from '../../local/aws/dynamodb';

const db = new LocalDynamoDb();
let tables = 0;

beforeAll(async () => {
  await db.start();
});
afterAll(async () => {
  await db.stop();
});

/** Executions as the gate sees them: which run, and which wait for which token. */
class Executions implements GatedExecutions {
  readonly running = new Set<string>();
  readonly resumed: string[] = [];
  private readonly parked = new Map<string, () => void>();

  async resume(token: string): Promise<'delivered' | 'gone'> {
    const wake = this.parked.get(token);
    if (!wake) return 'gone';
    this.parked.delete(token);
    this.resumed.push(token);
    wake();
    return 'delivered';
  }

  async isRunning(executionArn: string): Promise<boolean> {
    return this.running.has(executionArn);
  }

  /** An execution that waits for its token; resolves when it is resumed. */
  park(arn: string): Promise<void> {
    this.running.add(arn);
    return new Promise((resolve) => this.parked.set(tokenOf(arn), resolve));
  }
}

const tokenOf = (arn: string) => `token-of-${arn}`;
let clock = Date.parse('2026-11-29T10:00:00Z');
function waiter(arn: string, lane: Waiter['lane'] = 'live'): Waiter {
  clock += 1000;
  return {
    executionArn: arn,
    token: tokenOf(arn),
    folderUri: `s3://b/${arn}/`,
    lane,
    parkedAt: new Date(clock).toISOString(),
  };
}

let store: GateStore;
let executions: Executions;
let gate: DatasetGate;

async function newGate(limit: number): Promise<void> {
  tables += 1;
  const name = `gate-${tables}`;
  await db.createTableFromTemplate(name, {
    KeySchema: [
      { AttributeName: GATE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: GATE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: GATE_KEYS.partitionKey, AttributeType: 'S' },
      { AttributeName: GATE_KEYS.sortKey, AttributeType: 'S' },
    ],
  });
  store = new GateStore(db.client as never, name, limit);
  executions = new Executions();
  gate = new DatasetGate(store, executions);
}

/** Parks an execution on the gate, as the park task does; resolves once it holds a slot. */
async function parkAndWait(arn: string, lane: Waiter['lane'] = 'live'): Promise<void> {
  const resumed = executions.park(arn);
  await gate.park(waiter(arn, lane));
  await resumed;
}

describe('the gate: a bound on datasets in flight', () => {
  beforeEach(() => newGate(3));

  it('lets at most `limit` executions hold a slot, however many try at once', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gate.acquire(`e${i}`)));
    expect(results.filter(Boolean)).toHaveLength(3);
    expect(await store.holders()).toHaveLength(3);
  });

  it('counts a repeated acquire by a holder as its one slot', async () => {
    expect(await gate.acquire('e1')).toBe(true);
    expect(await gate.acquire('e1')).toBe(true);
    expect(await store.holders()).toEqual(['e1']);
    expect(await gate.release('e1')).toBe(true);
    expect(await gate.release('e1')).toBe(false);
    expect(await store.holders()).toEqual([]);
  });

  it('hands freed slots to waiters in turn: live before backfill, then arrival', async () => {
    await newGate(1);
    expect(await gate.acquire('a')).toBe(true);
    const order: string[] = [];
    const parked = [
      parkAndWait('b', 'backfill').then(() => order.push('b')),
      parkAndWait('c').then(() => order.push('c')),
      parkAndWait('d').then(() => order.push('d')),
    ];
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual([]);
    for (const holder of ['a', 'c', 'd']) {
      await gate.release(holder);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(parked);
    expect(order).toEqual(['c', 'd', 'b']);
    expect(await store.holders()).toEqual(['b']);
  });

  it('queues a newcomer behind waiters instead of letting it take a free slot first', async () => {
    await newGate(1);
    await gate.acquire('a');
    const b = parkAndWait('b');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await gate.acquire('newcomer')).toBe(false);
    await gate.release('a');
    await b;
    expect(await store.holders()).toEqual(['b']);
  });

  it('never forgets a waiter whose slot comes free while it parks', async () => {
    await newGate(1);
    for (let round = 0; round < 15; round += 1) {
      const holder = `h${round}`;
      const next = `h${round + 1}`;
      if (round === 0) await gate.acquire(holder);
      // The release and the park race; whichever wins, the parked execution gets the slot.
      await Promise.all([gate.release(holder), parkAndWait(next)]);
      expect(await store.holders()).toEqual([next]);
    }
  });

  it('takes back a slot handed to an execution that is gone and gives it to the next waiter', async () => {
    await newGate(1);
    await gate.acquire('a');
    await gate.park(waiter('stopped')); // never waits for its token: gone, not running
    const c = parkAndWait('c');
    await gate.release('a');
    await c;
    expect(await store.holders()).toEqual(['c']);
    expect(await store.waiters()).toEqual([]);
  });

  it('a release takes the execution off the waiting list (its wait timed out or it was stopped)', async () => {
    await newGate(1);
    await gate.acquire('a');
    await gate.park(waiter('late'));
    expect(await gate.release('late')).toBe(false);
    expect(await store.waiters()).toEqual([]);
    expect(await store.holders()).toEqual(['a']);
  });

  it('sweeps the slots and waiting places of executions that no longer run, and hands the slots on', async () => {
    await newGate(2);
    executions.running.add('alive');
    await gate.acquire('alive');
    await gate.acquire('ended-without-release');
    await gate.park(waiter('stopped-while-parked'));
    const next = parkAndWait('next');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await gate.sweep()).toEqual(['ended-without-release']);
    await next;
    expect((await store.holders()).sort()).toEqual(['alive', 'next']);
    expect(await store.waiters()).toEqual([]);
  });

  it('30 executions against 3 slots: all get one in the end, never more than 3 at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const run = async (arn: string) => {
      if (!(await gate.acquire(arn))) await parkAndWait(arn);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      expect((await store.holders()).length).toBeLessThanOrEqual(3);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
      inFlight -= 1;
      await gate.release(arn);
    };
    await Promise.all(Array.from({ length: 30 }, (_, i) => run(`e${i}`)));
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
    expect(await store.holders()).toEqual([]);
    expect(await store.waiters()).toEqual([]);
  });
});
