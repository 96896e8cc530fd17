import type { Readable } from 'node:stream';

/**
 * Where uploaded media files live. Keys are `<org uuid>/<media uuid>/<filename>` (models/media.ts
 * mediaPath); a key is written once and never changes, so readers may cache it forever.
 */
export interface MediaStorage {
  readonly kind: string;
  /** Stores the stream under the key; returns the bytes written. Nothing is readable until it completes. */
  put(key: string, body: Readable, contentType: string): Promise<number>;
  /** The stored bytes, or null when the key holds nothing. */
  get(key: string): Promise<{ body: Readable; size: number } | null>;
  delete(key: string): Promise<void>;
  /** The public URL of a key; `origin` is the scheme and host the upload request came through. */
  url(key: string, origin: string): string;
  /** Releases connections (called when the server closes). */
  close?(): void;
}

/** A key as a URL path: each segment percent-encoded (`steve marten.jpg` → `steve%20marten.jpg`). */
export function keyToUrlPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** The storage itself failed (unreachable, refused credentials, server error): not the client's fault. */
export class MediaStorageError extends Error {
  override name = 'MediaStorageError';
}
