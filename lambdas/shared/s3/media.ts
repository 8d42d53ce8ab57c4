/** Image file extensions Visual Layer ingests from S3 (lower case, no dot). */
export const IMAGE_EXTENSIONS = [
  'png',
  'jpg',
  'jpeg',
  'gif',
  'tif',
  'tiff',
  'heic',
  'heif',
  'bmp',
  'webp',
  'jp2',
  'jfif',
] as const;

/** Video file extensions Visual Layer ingests from S3 (lower case, no dot). */
export const VIDEO_EXTENSIONS = ['mp4', 'avi', 'dav', 'm4v', 'mov', 'mkv', 'wmv', 'flv', 'webm'] as const;

/** Every extension Visual Layer ingests. Archives are not among them. */
export const MEDIA_EXTENSIONS: readonly string[] = [...IMAGE_EXTENSIONS, ...VIDEO_EXTENSIONS];

/** True when the object key names a file Visual Layer ingests (by extension, any case). */
export function isMediaKey(key: string): boolean {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  return MEDIA_EXTENSIONS.includes(name.slice(dot + 1).toLowerCase());
}
