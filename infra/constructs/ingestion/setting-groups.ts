import type { SettingsOf } from '../../../lambdas/shared/settings';
import { type IngestConfig, VISUAL_LAYER_REQUEST_TIMEOUT_MS } from '../../config';

/** The setting groups the functions share, as the configuration and the deployed resources give them. */
export interface SettingGroups {
  folderRules: SettingsOf<'plan-folder'>['folderRules'];
  visualLayer: SettingsOf<'create-dataset'>['visualLayer'];
  polling: SettingsOf<'check-status'>['polling'];
}

/**
 * Derives the functions' shared setting groups from the configuration: how folders are named, where
 * Visual Layer is and how its credentials are read, and the attempt's polling and deadline.
 */
export function settingGroups(
  config: IngestConfig,
  resources: { bucketName: string; secretId: string },
): SettingGroups {
  return {
    folderRules: {
      prefix: config.prefix,
      folderDepth: config.folderDepth,
      trigger: config.trigger,
      markerName: config.markerName,
      datasetNamePrefix: config.datasetNamePrefix,
      bucketName: resources.bucketName,
    },
    visualLayer: {
      baseUrl: config.visualLayerBaseUrl,
      secretId: resources.secretId,
      requestTimeoutMs: VISUAL_LAYER_REQUEST_TIMEOUT_MS,
    },
    polling: {
      minSeconds: config.pollIntervalSeconds,
      maxSeconds: config.maxPollIntervalSeconds,
      maxWaitMinutes: config.maxWaitMinutes,
    },
  };
}
