import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { keyToUrlPath, MediaStorageError, type MediaStorage } from './storage.ts';

/**
 * Media on local disk under one root folder (by default `<data dir>/media`), served back by this
 * server at `/media/<key>` (media/routes.ts). `publicUrl`, when set, replaces the request's origin
 * in the URLs given out (e.g. a CDN or a proxy that serves the same folder).
 */
export class LocalDiskStorage implements MediaStorage {
  readonly kind = 'local';

  constructor(readonly root: string, readonly publicUrl?: string) {}

  private file(key: string): string {
    const segments = key.split('/');
    // keys are built from UUIDs and cleaned names; refuse anything that could leave the root
    if (segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) throw new Error(`bad media key: ${key}`);
    return path.join(this.root, ...segments);
  }

  async put(key: string, body: Readable): Promise<number> {
    const target = this.file(key);
    // written beside the target and renamed: a half-written file is never served
    const partial = `${target}.${randomUUID()}.part`;
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await pipeline(body, count, createWriteStream(partial, { flags: 'wx' }));
      await rename(partial, target);
    } catch (e) {
      // the cleanup must not hide why the write failed (it fails too when the folder could not be made)
      await rm(partial, { force: true }).catch(() => {});
      throw diskError(e);
    }
    return size;
  }

  async get(key: string): Promise<{ body: Readable; size: number } | null> {
    const file = this.file(key);
    try {
      const s = await stat(file);
      if (!s.isFile()) return null;
      return { body: createReadStream(file), size: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw diskError(e);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.file(key);
    await rm(file, { force: true });
    // the media UUID folder held only this file
    await rmdir(path.dirname(file)).catch(() => {});
  }

  url(key: string, origin: string): string {
    return `${(this.publicUrl ?? origin).replace(/\/+$/, '')}/media/${keyToUrlPath(key)}`;
  }
}

/** A file system failure (disk full, permissions) is the storage's; anything else (the upload stream failing) is not. */
function diskError(e: unknown): unknown {
  if (typeof (e as NodeJS.ErrnoException)?.syscall !== 'string') return e;
  return new MediaStorageError(`media disk: ${(e as Error).message}`, { cause: e });
}
