import path from 'node:path';
import type { MediaStorage } from './storage.ts';
import { LocalDiskStorage } from './local.ts';
import { S3Storage } from './s3.ts';

/**
 * The media storage the environment asks for (docs/media.md):
 * - `RAPIDPRO_MEDIA_STORAGE`: `local` (default) or `s3`.
 * - `RAPIDPRO_MEDIA_URL`: the public origin put in media URLs. Local: default the origin of the
 *   upload request (which honours TRUST_PROXY). S3: an origin in front of the bucket (a CDN),
 *   default the bucket's own URL.
 * - local: `RAPIDPRO_MEDIA_DIR`, the folder (default `<RAPIDPRO_DATA_DIR or ./data>/media`, in both
 *   database modes).
 * - s3: `RAPIDPRO_MEDIA_S3_BUCKET` (required), `RAPIDPRO_MEDIA_S3_REGION` (default us-east-1),
 *   `RAPIDPRO_MEDIA_S3_ENDPOINT` (an S3-compatible server, addressed path-style),
 *   `RAPIDPRO_MEDIA_S3_PREFIX` (key prefix); credentials `AWS_ACCESS_KEY_ID` and
 *   `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`), else the AWS SDK's default chain.
 * A configuration that cannot work stops the server at start rather than losing uploads later.
 */
export function mediaStorageFromEnv(env: NodeJS.ProcessEnv = process.env): MediaStorage {
  const kind = env.RAPIDPRO_MEDIA_STORAGE || 'local';
  const publicUrl = env.RAPIDPRO_MEDIA_URL || undefined;
  if (kind === 'local') {
    const root = path.resolve(env.RAPIDPRO_MEDIA_DIR || path.join(env.RAPIDPRO_DATA_DIR ?? 'data', 'media'));
    return new LocalDiskStorage(root, publicUrl);
  }
  if (kind === 's3') return s3StorageFromEnv(env, publicUrl);
  throw new Error(`RAPIDPRO_MEDIA_STORAGE=${kind}: unknown media storage (expected local or s3)`);
}

function s3StorageFromEnv(env: NodeJS.ProcessEnv, publicUrl: string | undefined): S3Storage {
  const bucket = env.RAPIDPRO_MEDIA_S3_BUCKET?.trim();
  if (!bucket) throw new Error('RAPIDPRO_MEDIA_STORAGE=s3 needs RAPIDPRO_MEDIA_S3_BUCKET (the bucket media are stored in)');
  const endpoint = env.RAPIDPRO_MEDIA_S3_ENDPOINT?.trim() || undefined;
  if (endpoint) httpUrl('RAPIDPRO_MEDIA_S3_ENDPOINT', endpoint);
  if (publicUrl) httpUrl('RAPIDPRO_MEDIA_URL', publicUrl);
  const prefix = env.RAPIDPRO_MEDIA_S3_PREFIX?.trim() || undefined;
  if (prefix?.split('/').some((s) => s === '.' || s === '..')) throw new Error(`RAPIDPRO_MEDIA_S3_PREFIX=${prefix}: no . or .. segments`);
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!!accessKeyId !== !!secretAccessKey) throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  return new S3Storage({
    bucket,
    region: env.RAPIDPRO_MEDIA_S3_REGION?.trim() || 'us-east-1',
    endpoint,
    prefix,
    publicUrl,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined } : undefined,
  });
}

function httpUrl(name: string, value: string): void {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error(`${name}=${value}: not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`${name}=${value}: expected an http(s) URL`);
}
