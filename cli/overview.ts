import { GateStore } from '../lambdas/shared/gate/gate-store';
import {
  IN_FLIGHT_STATUSES,
  RECORD_STATUSES,
  RETRYABLE_STATUSES,
  type RecordStatus,
} from '../lambdas/shared/record/folder-record';
import { countInStatus, recordsInStatus, type StoredRecord } from '../lambdas/shared/record/record-query';
import type { RunContext } from './context';
import { type Deployment, gateOf } from './deployment';
import { APPENDS_IN_FLIGHT, type AppendView, appendOf, errorOf, numberOf, textOf } from './record-view';

/** One folder as the overview lists it. */
export interface FolderLine {
  folderUri: string;
  status: string;
  updatedAt?: string;
  claimedAt?: string;
  progress?: number;
  vlStatus?: string;
  datasetId?: string;
  datasetUrl?: string;
  error?: { code: string; message: string };
  attempts?: number;
  objectCount?: number;
  generation?: number;
  append?: AppendView;
}

/** A folder waiting for a slot of the gate. */
export interface WaitingFolder {
  folderUri: string;
  executionArn: string;
  parkedAt: string;
  lane: string;
}

/** What the pipeline is doing: counts by status, work in flight, the gate, appends, latest outcomes. */
export interface Overview {
  deployment: { stackName: string; source: string; region: string; bucket: string; trigger: string };
  counts: Record<RecordStatus, number>;
  /** CREATING and INDEXING folders, newest first. */
  inFlight: FolderLine[];
  /** PENDING folders: collecting objects, or claimed and about to create. */
  collecting: FolderLine[];
  /** The bound on datasets in flight, when the stack has one. */
  gate?: { slots: number; slotsHeld: number; waiting: WaitingFolder[] };
  /** READY folders whose dataset is taking a batch of later objects. */
  appends: FolderLine[];
  /** The newest ERROR, TIMED_OUT and FAILED folders. */
  failures: FolderLine[];
  /** The newest outcomes of every kind. */
  recent: FolderLine[];
}

/** How much of each list the overview reads. */
export interface OverviewLimits {
  failures?: number;
  recent?: number;
  inFlight?: number;
}

/** Reads the overview: a handful of queries of the `byStatus` index, and the gate's two items. */
export async function readOverview(ctx: RunContext, limits: OverviewLimits = {}): Promise<Overview> {
  const deployment = await ctx.deployment();
  const reader = new StatusReader(ctx, deployment);
  const perList = {
    failures: limits.failures ?? 5,
    recent: limits.recent ?? 10,
    inFlight: limits.inFlight ?? 50,
  };
  const [counts, inFlight, collecting, ready, failures, gate] = await Promise.all([
    reader.counts(),
    reader.newest(IN_FLIGHT_STATUSES, perList.inFlight),
    reader.newest(['PENDING'], perList.inFlight),
    reader.newest(['READY'], 50),
    reader.newest(RETRYABLE_STATUSES, Math.max(perList.failures, perList.recent)),
    readGate(ctx, deployment),
  ]);
  const appends = ready.filter((line) => APPENDS_IN_FLIGHT.includes(line.append?.status ?? ''));
  const recent = [...ready, ...failures].sort(newestFirst).slice(0, perList.recent);
  return {
    deployment: {
      stackName: deployment.stackName,
      source: deployment.source,
      region: deployment.region,
      bucket: deployment.bucket,
      trigger: deployment.trigger,
    },
    counts,
    inFlight,
    collecting,
    ...(gate ? { gate } : {}),
    appends,
    failures: failures.slice(0, perList.failures),
    recent,
  };
}

/** Reads records by status through the record module's `byStatus` queries. */
export class StatusReader {
  constructor(
    private readonly ctx: RunContext,
    private readonly deployment: Deployment,
  ) {}

  /** How many records are in each status (changed since `since`, when given). */
  async counts(since?: string): Promise<Record<RecordStatus, number>> {
    const dynamodb = this.ctx.aws.dynamodb();
    const table = this.deployment.recordsTable;
    const counts = await Promise.all(RECORD_STATUSES.map((s) => countInStatus(dynamodb, table, s, since)));
    return Object.fromEntries(RECORD_STATUSES.map((s, i) => [s, counts[i] ?? 0])) as Record<
      RecordStatus,
      number
    >;
  }

  /** The newest `limit` records of the statuses (changed since `since`), newest first, as lines. */
  async newest(statuses: readonly string[], limit: number, since?: string): Promise<FolderLine[]> {
    return (await this.newestRecords(statuses, limit, since)).map(lineOf);
  }

  /** The newest `limit` records of the statuses (changed since `since`), newest first, whole. */
  async newestRecords(statuses: readonly string[], limit: number, since?: string): Promise<StoredRecord[]> {
    const dynamodb = this.ctx.aws.dynamodb();
    const table = this.deployment.recordsTable;
    const perStatus = await Promise.all(
      statuses.map(async (status) => {
        const found: StoredRecord[] = [];
        const pages = recordsInStatus(dynamodb, table, status, { since, newestFirst: true, pageSize: limit });
        for await (const page of pages) {
          found.push(...page);
          if (found.length >= limit) break;
        }
        return found.slice(0, limit);
      }),
    );
    return perStatus
      .flat()
      .sort((a, b) => String(b.updatedAt ?? '').localeCompare(String(a.updatedAt ?? '')))
      .slice(0, limit);
  }
}

/** The gate's slots held and its waiting list, when the stack has a gate. */
async function readGate(ctx: RunContext, deployment: Deployment): Promise<Overview['gate']> {
  const gate = gateOf(deployment);
  if (!gate) return undefined;
  const store = new GateStore(ctx.aws.dynamodb(), gate.table, gate.slots);
  const [holders, waiters] = await Promise.all([store.holders(), store.waiters()]);
  return {
    slots: gate.slots,
    slotsHeld: holders.length,
    // The waiters' task tokens stay out: they resume executions.
    waiting: waiters.map(({ folderUri, executionArn, parkedAt, lane }) => ({
      folderUri,
      executionArn,
      parkedAt,
      lane,
    })),
  };
}

/** A record as an overview line. */
export function lineOf(record: StoredRecord): FolderLine {
  const line: FolderLine = { folderUri: record.folderUri, status: textOf(record, 'status') ?? 'UNKNOWN' };
  const set = <K extends keyof FolderLine>(key: K, value: FolderLine[K] | undefined) => {
    if (value !== undefined) line[key] = value;
  };
  set('updatedAt', textOf(record, 'updatedAt'));
  set('claimedAt', textOf(record, 'claimedAt'));
  set('progress', numberOf(record, 'progress'));
  set('vlStatus', textOf(record, 'vlStatus'));
  set('datasetId', textOf(record, 'datasetId'));
  set('datasetUrl', textOf(record, 'datasetUrl'));
  set('error', errorOf(record));
  set('attempts', numberOf(record, 'attempts'));
  set('objectCount', numberOf(record, 'objectCount'));
  set('generation', numberOf(record, 'generation'));
  set('append', appendOf(record));
  return line;
}

function newestFirst(a: FolderLine, b: FolderLine): number {
  return (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '');
}
