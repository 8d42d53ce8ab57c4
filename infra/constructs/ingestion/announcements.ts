import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import {
  type EventPattern,
  type IRuleTarget,
  Match,
  type OnEventOptions,
  Rule,
} from 'aws-cdk-lib/aws-events';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RETRYABLE_STATUSES } from '../../../lambdas/shared/record/folder-record';
import type { LateObjects } from '../../config';
import { ANNOUNCEMENT_DETAIL_TYPE, ANNOUNCEMENT_SOURCE, APPENDED_DETAIL_TYPE } from '../workflow/tasks';

/** The events the workflow announces on the default bus, by what a subscriber wants to hear of. */
export const ANNOUNCEMENTS = {
  /** A folder's dataset is READY. */
  folderReady: { detailType: ANNOUNCEMENT_DETAIL_TYPE, statuses: ['READY'] },
  /** A folder ended ERROR (Visual Layer's), TIMED_OUT or FAILED (with a code). */
  folderFailed: { detailType: ANNOUNCEMENT_DETAIL_TYPE, statuses: [...RETRYABLE_STATUSES] },
  /** An append batch ended: DONE, or FAILED with a code. */
  objectsAppended: { detailType: APPENDED_DETAIL_TYPE, statuses: ['DONE', 'FAILED'] },
} as const;

/**
 * The pattern of one kind of announcement made by the executions of one state machine: every
 * deployment announces with the same `source`, and each event names its execution, whose ARN starts
 * with the state machine's name.
 */
export function announcementPattern(
  stateMachine: IStateMachine,
  kind: keyof typeof ANNOUNCEMENTS,
): EventPattern {
  const { detailType, statuses } = ANNOUNCEMENTS[kind];
  const name = Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  const executions = Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${name}:`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return {
    source: [ANNOUNCEMENT_SOURCE],
    detailType: [detailType],
    detail: { status: [...statuses], executionArn: Match.prefix(executions) },
  };
}

/** Options of a subscription to the pipeline's events: the rule's name and description, more pattern. */
export type AnnouncementOptions = Omit<OnEventOptions, 'target'>;

/**
 * How callers hear of the pipeline's outcomes: rules on the default bus for the events its own
 * executions announce (docs/how-it-works.md, "Announce"). The rules and their targets are the
 * caller's, and so are the targets' retry and dead-letter settings (cdk-nag's Serverless-EventBusDLQ
 * asks for one). The part of `VisualLayerIngestion` that subscribes, a class of its own only to keep
 * each file short.
 */
export abstract class AnnouncingPipeline extends Construct {
  /** `source` of every event the pipeline announces (all deployments share it). */
  static readonly EVENT_SOURCE = ANNOUNCEMENT_SOURCE;
  /** `source` of the events this pipeline announces; the `on…` rules also match its executions only. */
  readonly eventSource = ANNOUNCEMENT_SOURCE;
  /** The state machine whose executions announce. */
  abstract readonly stateMachine: IStateMachine;
  /** The deployment's name, in the rules' descriptions. */
  abstract readonly name: string;
  /** Whether append batches run (and are announced). */
  protected abstract readonly lateObjects: LateObjects;

  /**
   * A rule on the default bus for the folders of this pipeline whose dataset is READY; the event's
   * detail holds `folderUri`, `status`, `datasetId`, `datasetUrl`, `nImages`, `nVideos`, `executionArn`.
   * @param target where the events go. @default none yet: add targets to the rule
   */
  onFolderReady(id: string, target?: IRuleTarget, options: AnnouncementOptions = {}): Rule {
    return this.subscribe(id, 'folderReady', target, options);
  }

  /**
   * A rule for the folders of this pipeline that ended `ERROR`, `TIMED_OUT` or `FAILED`; the detail
   * holds `folderUri`, `status` and `error` (`code`, `message`), and the dataset when there is one.
   * @param target where the events go. @default none yet: add targets to the rule
   */
  onFolderFailed(id: string, target?: IRuleTarget, options: AnnouncementOptions = {}): Rule {
    return this.subscribe(id, 'folderFailed', target, options);
  }

  /**
   * A rule for the append batches of this pipeline (`lateObjects=append`): `status` DONE or FAILED,
   * with `folderUri`, `datasetId`, `generation`, `added` (and `error` when FAILED).
   * @param target where the events go. @default none yet: add targets to the rule
   * @throws with `lateObjects=ignore`, where no batch runs and the rule would never fire.
   */
  onObjectsAppended(id: string, target?: IRuleTarget, options: AnnouncementOptions = {}): Rule {
    if (this.lateObjects !== 'append') {
      throw new Error(
        `${this.node.path}: onObjectsAppended("${id}") would never fire: lateObjects is "${this.lateObjects}", so no append batch runs`,
      );
    }
    return this.subscribe(id, 'objectsAppended', target, options);
  }

  private subscribe(
    id: string,
    kind: keyof typeof ANNOUNCEMENTS,
    target: IRuleTarget | undefined,
    options: AnnouncementOptions,
  ): Rule {
    const rule = new Rule(this, id, {
      description: options.description ?? `vl-ingest ${this.name}: ${kind} events`,
      ruleName: options.ruleName,
      crossStackScope: options.crossStackScope,
      eventPattern: announcementPattern(this.stateMachine, kind),
      targets: target ? [target] : [],
    });
    if (options.eventPattern) rule.addEventPattern(options.eventPattern);
    return rule;
  }
}
