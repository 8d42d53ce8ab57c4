import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeS3EventKey } from '../../lambdas/shared/s3/s3-key';
import { LoopbackService } from './json-service';

/** An object the local S3 holds. */
export interface LocalObject {
  body: Buffer;
  etag: string;
  lastModified: Date;
}

/** Keys a ListObjectsV2 page holds unless `max-keys` says fewer (S3's limit). */
const MAX_KEYS = 1000;

/**
 * A loopback stand-in for the three S3 calls the pipeline makes — PutObject, GetObject and
 * ListObjectsV2 (with `encoding-type=url`, keys encoded as S3 encodes them in events: `+` for a space)
 * — in S3's REST/XML protocol, path-style (`/bucket/key`), so the real AWS SDK reaches it through
 * `AWS_ENDPOINT_URL_S3` (an IP endpoint makes the SDK address buckets by path). Tests and the Visual
 * Layer simulator read and write the same objects in process.
 */
export class LocalS3 extends LoopbackService {
  private readonly buckets = new Map<string, Map<string, LocalObject>>();
  /** Requests served, by operation: shows what a function did. */
  readonly requests: { operation: string; bucket: string; key?: string }[] = [];

  /** Stores an object, as PutObject does. */
  put(bucket: string, key: string, body: string | Buffer, lastModified = new Date()): LocalObject {
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const object = { body: data, etag: `"${createHash('md5').update(data).digest('hex')}"`, lastModified };
    let objects = this.buckets.get(bucket);
    if (!objects) {
      objects = new Map();
      this.buckets.set(bucket, objects);
    }
    objects.set(key, object);
    return object;
  }

  /** Removes every object of every bucket (a test's fresh start). */
  clear(): void {
    this.buckets.clear();
    this.requests.length = 0;
  }

  /** An object, or undefined. */
  get(bucket: string, key: string): LocalObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** The keys of a bucket under a prefix, in S3's (UTF-8 binary) order. */
  keys(bucket: string, prefix = ''): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])]
      .filter((k) => k.startsWith(prefix))
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      await this.handle(req, res);
    } catch (error) {
      if (!res.headersSent) sendError(res, 500, 'InternalError', String(error));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://s3.local');
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map((segment) => decodeURIComponent(segment)).join('/');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method === 'PUT' && key) {
      this.requests.push({ operation: 'PutObject', bucket, key });
      const object = this.put(bucket, key, Buffer.concat(chunks));
      res.writeHead(200, { etag: object.etag });
      res.end();
      return;
    }
    if ((req.method === 'GET' || req.method === 'HEAD') && key) {
      this.requests.push({ operation: req.method === 'GET' ? 'GetObject' : 'HeadObject', bucket, key });
      const object = this.get(bucket, key);
      if (!object) return sendError(res, 404, 'NoSuchKey', 'The specified key does not exist.');
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': object.body.length,
        etag: object.etag,
        'last-modified': object.lastModified.toUTCString(),
      });
      res.end(req.method === 'GET' ? object.body : undefined);
      return;
    }
    if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
      this.requests.push({ operation: 'ListObjectsV2', bucket });
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(this.listV2(bucket, url.searchParams));
      return;
    }
    sendError(res, 400, 'NotImplemented', `${req.method} ${url.pathname} is not emulated`);
  }

  /** One ListObjectsV2 page; the continuation token is the last key of the previous page. */
  private listV2(bucket: string, query: URLSearchParams): string {
    const prefix = query.get('prefix') ?? '';
    const maxKeys = Math.min(MAX_KEYS, Number(query.get('max-keys') ?? MAX_KEYS));
    const token = query.get('continuation-token');
    const after = token ? Buffer.from(token, 'base64').toString('utf8') : (query.get('start-after') ?? '');
    const encode = query.get('encoding-type') === 'url' ? encodeS3EventKey : (k: string) => k;
    const remaining = this.keys(bucket, prefix).filter(
      (k) => after === '' || Buffer.compare(Buffer.from(k), Buffer.from(after)) > 0,
    );
    const page = remaining.slice(0, maxKeys);
    const truncated = remaining.length > page.length;
    const contents = page.map((k) => {
      const object = this.get(bucket, k) as LocalObject;
      return (
        `<Contents><Key>${xml(encode(k))}</Key><LastModified>${object.lastModified.toISOString()}</LastModified>` +
        `<ETag>${xml(object.etag)}</ETag><Size>${object.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`
      );
    });
    const next = truncated
      ? `<NextContinuationToken>${Buffer.from(page.at(-1) ?? '').toString('base64')}</NextContinuationToken>`
      : '';
    return (
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Name>${xml(bucket)}</Name><Prefix>${xml(encode(prefix))}</Prefix><KeyCount>${page.length}</KeyCount>` +
      `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
      (query.get('encoding-type') === 'url' ? '<EncodingType>url</EncodingType>' : '') +
      (token ? `<ContinuationToken>${xml(token)}</ContinuationToken>` : '') +
      `${next}${contents.join('')}</ListBucketResult>`
    );
  }
}

function xml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`,
  );
}
