/**
 * The vl-ingest construct library: `VisualLayerIngestion` and what its callers need with it. The app
 * of this repository (infra/app.ts) is one consumer; docs/construct.md shows how to be another.
 */
export {
  ConfigError,
  DEFAULT_CONFIG,
  type LateObjects,
  type Reindex,
  type Trigger,
  type VisualLayerAccess,
} from './config';
export {
  ANNOUNCEMENTS,
  type AnnouncementOptions,
  AnnouncingPipeline,
} from './constructs/ingestion/announcements';
export { INGESTION_PROPS, type VisualLayerIngestionProps } from './constructs/ingestion/props';
export { VisualLayerIngestion } from './constructs/ingestion/visual-layer-ingestion';
export {
  ANNOUNCEMENT_DETAIL_TYPE,
  ANNOUNCEMENT_SOURCE,
  APPENDED_DETAIL_TYPE,
} from './constructs/workflow/tasks';
