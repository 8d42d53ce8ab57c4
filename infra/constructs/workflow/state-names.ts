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
  appendSettle: 'SettleAppend',
  appendSettleWait: 'WaitForAppendQuiet',
  sendBatch: 'SendBatch',
  checkBatch: 'CheckBatch',
  finishBatch: 'FinishBatch',
  listFolder: 'ListFolderObjects',
} as const;
