import { Transform, type Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { keyToUrlPath, MediaStorageError, type MediaStorage } from './storage.ts';

export interface S3StorageOptions {
  bucket: string;
  /** default us-east-1 */
  region?: string;
  /** An S3-compatible server (MinIO, R2, ...): addressed path-style, `<endpoint>/<bucket>/<key>`. */
  endpoint?: string;
  /** Prepended to every key, e.g. `media` → `media/<org>/<uuid>/<name>`. */
  prefix?: string;
  /** The origin in front of the bucket (a CDN) put in media URLs instead of the bucket's own. */
  publicUrl?: string;
  /** Explicit credentials; without them the SDK's default chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Attempts per S3 request (the SDK retries 5xx and network errors); default 3. */
  maxAttempts?: number;
}

// The smallest part S3 accepts: uploads up to this size are one PutObject, larger ones go in
// parts of this size, one in flight at a time. A 25 MiB upload was measured to hold at most
// ~15 MiB live (the part being filled, its joined copy, the part in flight), against 25-50 MiB when
// the whole file is buffered for one PutObject, which costs about half the CPU (~90 vs ~200 ms).
const PART_SIZE = 5 * 1024 * 1024;

/**
 * Media in an S3 bucket or any server speaking its API. Keys are the MediaStorage keys under an
 * optional prefix; URLs point at the bucket (or at `publicUrl` in front of it), which must allow
 * public reads, as RapidPro's media bucket does: channel providers fetch attachments without credentials.
 */
export class S3Storage implements MediaStorage {
  readonly kind = 's3';
  readonly bucket: string;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly prefix: string;
  readonly publicUrl: string | undefined;
  readonly client: S3Client;

  constructor(opts: S3StorageOptions) {
    if (!opts.bucket) throw new Error('S3 media storage needs a bucket');
    this.bucket = opts.bucket;
    this.region = opts.region || 'us-east-1';
    this.endpoint = opts.endpoint ? opts.endpoint.replace(/\/+$/, '') : undefined;
    const prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = prefix ? `${prefix}/` : '';
    this.publicUrl = opts.publicUrl ? opts.publicUrl.replace(/\/+$/, '') : undefined;
    this.client = new S3Client({
      region: this.region,
      endpoint: this.endpoint,
      forcePathStyle: !!this.endpoint,
      credentials: opts.credentials,
      maxAttempts: opts.maxAttempts,
      // Checksums only where S3 requires them: since SDK 3.729 they are added to every upload by
      // default, which several S3-compatible servers refuse or mishandle.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // without timeouts an unreachable or stalled server would hold the upload request forever
      requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
    });
  }

  objectKey(key: string): string {
    return this.prefix + key;
  }

  async put(key: string, body: Readable, contentType: string): Promise<number> {
    let size = 0;
    const counted = body.pipe(new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(null, chunk);
      },
    }));
    // pipe() does not forward errors: a failed source (client gone, parse error) must fail the upload
    let sourceError: Error | undefined;
    body.once('error', (e) => counted.destroy((sourceError = e)));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.objectKey(key), Body: counted, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: 1,
      // a failed multipart upload is aborted, so no parts are left billed in the bucket
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      body.unpipe(counted);
      counted.destroy();
      // the upload was aborted on our side: not a storage failure
      if (sourceError) throw sourceError;
      throw storageError('put', key, e);
    }
    return size;
  }

  async get(key: string): Promise<{ body: Readable; size: number } | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { body: res.Body as Readable, size: Number(res.ContentLength ?? 0) };
    } catch (e) {
      if (e instanceof S3ServiceException && e.$metadata.httpStatusCode === 404) return null;
      throw storageError('get', key, e);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    } catch (e) {
      throw storageError('delete', key, e);
    }
  }

  url(key: string): string {
    const path = keyToUrlPath(this.objectKey(key));
    if (this.publicUrl) return `${this.publicUrl}/${path}`;
    if (this.endpoint) return `${this.endpoint}/${encodeURIComponent(this.bucket)}/${path}`;
    // a bucket name with dots breaks the certificate of its virtual host, so AWS serves it path-style
    if (this.bucket.includes('.')) return `https://s3.${this.region}.amazonaws.com/${this.bucket}/${path}`;
    return `https://${this.bucket}.s3.${this.region}.amazonaws.com/${path}`;
  }

  close(): void {
    this.client.destroy();
  }
}

function storageError(op: string, key: string, e: unknown): MediaStorageError {
  const status = e instanceof S3ServiceException ? ` (HTTP ${e.$metadata.httpStatusCode ?? '?'} ${e.name})` : '';
  return new MediaStorageError(`S3 ${op} of ${key} failed${status}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}
