import { createHash } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * A batch's manifest: a `.txt` object in the stack's manifests bucket with one `s3://bucket/key` line
 * per object the batch sends — never the folder itself, whose older objects are in the dataset
 * already. Its key names the folder (hashed), the dataset and the generation, so every try of a batch
 * finds and sends the same lines.
 */

/** Where a batch's manifest lives in the manifests bucket. */
export function manifestKey(folderUri: string, datasetId: string, generation: number): string {
  const folder = createHash('sha256').update(folderUri).digest('hex').slice(0, 32);
  return `manifests/${folder}/${encodeURIComponent(datasetId)}/${generation}.txt`;
}

/** A key that cannot be one line of a `.txt` manifest. */
export function fitsManifest(key: string): boolean {
  return !/[\r\n]/.test(key);
}

/** The manifest's text: one `s3://bucket/key` line per key. */
export function manifestText(bucket: string, keys: readonly string[]): string {
  return keys.map((key) => `s3://${bucket}/${key}\n`).join('');
}

/** The object keys a manifest lists. */
export function keysOfManifest(text: string, bucket: string): string[] {
  const prefix = `s3://${bucket}/`;
  return text
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length));
}

/** The manifests bucket. */
export class Manifests {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /** The `s3://` URI Visual Layer is given. */
  uriOf(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async write(key: string, text: string): Promise<string> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: text,
        ContentType: 'text/plain; charset=utf-8',
      }),
    );
    return this.uriOf(key);
  }

  /** The manifest's text, or undefined when there is none. */
  async read(key: string): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await out.Body?.transformToString('utf-8');
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }
}
