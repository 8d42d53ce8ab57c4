import {
  MAX_BUSY_TRIES,
  MAX_CREATE_WAITS,
  MAX_LISTING_CALLS,
  MAX_POLLS,
  MAX_SETTLE_CHECKS,
} from '../../../lambdas/shared/polling/limits';
import { STATE_NAMES } from './state-names';

/**
 * A loop of the workflow: the states of one round (the costliest of its paths), the most rounds it
 * makes, and the kind of execution it runs in — a folder's attempt or an append batch, never both.
 */
export interface WorkflowLoop {
  name: string;
  paths: string[][];
  rounds: number;
  execution: 'folder' | 'batch' | 'listing';
}

/** Every loop that can run in an execution, each bounded by a count the functions enforce. */
export const WORKFLOW_LOOPS: WorkflowLoop[] = [
  {
    name: 'settle checks',
    execution: 'folder',
    paths: [[STATE_NAMES.settle, 'FolderSettled', 'RecordCollecting', STATE_NAMES.settleWait]],
    rounds: MAX_SETTLE_CHECKS,
  },
  {
    name: 'waits Visual Layer asked for before a create',
    execution: 'folder',
    paths: [[STATE_NAMES.createWait, STATE_NAMES.create, 'CreateAnswered']],
    rounds: MAX_CREATE_WAITS,
  },
  {
    name: 'status checks',
    execution: 'folder',
    paths: [
      [STATE_NAMES.wait, STATE_NAMES.check, 'IndexingDone', 'RecordProgress'],
      [STATE_NAMES.wait, STATE_NAMES.check, 'PollFailed', 'TooManyFailedChecks'],
    ],
    rounds: MAX_POLLS,
  },
  {
    name: 'listing calls after a marker',
    execution: 'listing',
    paths: [[STATE_NAMES.listFolder, 'MoreToList', STATE_NAMES.listingPause]],
    rounds: MAX_LISTING_CALLS,
  },
  {
    name: 'append settle checks',
    execution: 'batch',
    paths: [[STATE_NAMES.appendSettle, 'AppendSettled', STATE_NAMES.appendSettleWait]],
    rounds: MAX_SETTLE_CHECKS,
  },
  {
    name: 'batch sends Visual Layer answered 409',
    execution: 'batch',
    paths: [[STATE_NAMES.sendBatch, 'BatchAccepted', 'WaitBeforeResend']],
    rounds: MAX_BUSY_TRIES,
  },
  {
    name: 'batch status checks',
    execution: 'batch',
    paths: [
      [
        'WaitBeforeBatchCheck',
        STATE_NAMES.checkBatch,
        'BatchIndexed',
        STATE_NAMES.finishBatch,
        'BatchFinished',
      ],
      ['WaitBeforeBatchCheck', STATE_NAMES.checkBatch, 'BatchCheckFailed', 'TooManyFailedBatchChecks'],
    ],
    rounds: MAX_POLLS,
  },
];
