/** Names of the states other code refers to (tests, the local runtime, dashboards). */
export const STATE_NAMES = {
  plan: 'PlanFolder',
  claim: 'ClaimFolder',
  startAttempt: 'StartAttempt',
  acquireSlot: 'AcquireSlot',
  waitForSlot: 'WaitForSlot',
  releaseSlot: 'ReleaseSlot',
  create: 'CreateDataset',
  createWait: 'WaitBeforeCreate',
  check: 'CheckStatus',
  settle: 'SettleFolder',
  settleWait: 'WaitForQuiet',
  wait: 'WaitBeforeCheck',
  recordFailed: 'RecordFailed',
} as const;
