import path from 'node:path';
import type { MediaStorage } from './storage.ts';
import { LocalDiskStorage } from './local.ts';

/**
 * The media storage the environment asks for:
 * - `RAPIDPRO_MEDIA_STORAGE`: `local` (default). `s3` is reserved for S3-compatible storage, which
 *   is not implemented: asking for it stops the server at start rather than losing uploads.
 * - `RAPIDPRO_MEDIA_DIR`: the local folder (default `<RAPIDPRO_DATA_DIR or ./data>/media`, in both
 *   database modes).
 * - `RAPIDPRO_MEDIA_URL`: the public origin put in media URLs (default: the origin of the upload
 *   request, which honours TRUST_PROXY).
 */
export function mediaStorageFromEnv(env: NodeJS.ProcessEnv = process.env): MediaStorage {
  const kind = env.RAPIDPRO_MEDIA_STORAGE || 'local';
  if (kind === 'local') {
    const root = path.resolve(env.RAPIDPRO_MEDIA_DIR || path.join(env.RAPIDPRO_DATA_DIR ?? 'data', 'media'));
    return new LocalDiskStorage(root, env.RAPIDPRO_MEDIA_URL || undefined);
  }
  if (kind === 's3') {
    throw new Error('RAPIDPRO_MEDIA_STORAGE=s3: S3-compatible media storage is not implemented yet (see docs/media.md); use local');
  }
  throw new Error(`RAPIDPRO_MEDIA_STORAGE=${kind}: unknown media storage (expected local)`);
}
