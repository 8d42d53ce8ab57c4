import { ledgerSequencer } from '../shared/ledger/sequencer';
import { createObservability, instrumented } from '../shared/observability';
import { createLogger, logFailure } from '../shared/runtime';
import { type ObjectCreatedEvent, readObjectCreatedEvent } from '../shared/s3/object-event';
import { type FolderPlan, planFolder, requireWatchedBucket, type SkipPlan } from '../shared/s3/s3-key';
import { readSettings } from '../shared/settings';

const logger = createLogger();
const observability = createObservability();
const rules = readSettings('plan-folder', process.env).folderRules;

/**
 * The plan, plus when the object was created and its S3 sequencer as the record compares it (a
 * replayed event has the same one, a new write of the key a greater one).
 */
export type PlanResult = (FolderPlan | SkipPlan) & { objectCreatedAt: string; objectSequencer: string };

/** Decodes the object key of an S3 "Object Created" event and names its dataset folder. */
const planEvent = async (event: ObjectCreatedEvent): Promise<PlanResult> => {
  try {
    const object = readObjectCreatedEvent(event);
    // Only a StartExecution by hand can name another bucket: fail it (BAD_EVENT) so it is seen.
    requireWatchedBucket(object, rules);
    const plan = planFolder(object, rules);
    if (plan.action === 'skip') logger.info('object skipped', { key: plan.key, reason: plan.reason });
    return {
      ...plan,
      objectCreatedAt: object.objectAt,
      objectSequencer: ledgerSequencer(object.sequencer ?? ''),
    };
  } catch (error) {
    logFailure(logger, 'event rejected', error);
    throw error;
  }
};

/** The Lambda handler: {@link planEvent}, traced. */
export const handler = instrumented(observability, 'plan-folder', planEvent);
