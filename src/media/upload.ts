import type { Readable } from 'node:stream';
import { finished as streamFinished } from 'node:stream/promises';
import { Busboy } from '@fastify/busboy';
import type { MediaStorage } from './storage.ts';

/** The file part a multipart body carried under the field name, as Django's upload handling sees it. */
export type UploadedPart =
  /** no part under that name (also a file part with an empty filename, which browsers send for "no file") */
  | { kind: 'none' }
  /** a plain (non-file) field under that name */
  | { kind: 'not-a-file' }
  | {
      kind: 'file';
      filename: string;
      /** as declared by the client for the part, lowercased, without parameters */
      contentType: string;
      /** bytes received, at most maxSize + 1 (reading stops counting past the limit) */
      size: number;
      tooLarge: boolean;
      /** the storage key it was written to, when `keyFor` chose to keep it and it fit */
      key: string | null;
    };

export class MultipartParseError extends Error {}

export interface ReadUploadOptions {
  field: string;
  maxSize: number;
  storage: MediaStorage;
  /** Where to store a part with this name and type, or null to only measure it (e.g. an unsupported type). */
  keyFor(filename: string, contentType: string): string | null;
}

/**
 * Streams a multipart body: the file part under `field` goes straight to storage (never buffered
 * whole in memory), other parts are drained. As with Django, when several parts share the name the
 * last one wins, and a file part wins over a plain field; parts that lose are deleted from storage,
 * and so is a part that turns out larger than `maxSize`.
 */
export async function readUpload(body: Readable, contentTypeHeader: string, opts: ReadUploadOptions): Promise<UploadedPart> {
  let busboy: ReturnType<typeof Busboy>;
  try {
    busboy = Busboy({ headers: { 'content-type': contentTypeHeader }, limits: { fileSize: opts.maxSize + 1, files: 100, fields: 1000 } });
  } catch (e) {
    throw new MultipartParseError((e as Error).message);
  }
  type FilePart = Extract<UploadedPart, { kind: 'file' }>;
  const files: Promise<FilePart>[] = [];
  const open = new Set<Readable>();
  let sawField = false;

  const finished = new Promise<void>((resolve, reject) => {
    // a failure anywhere (parser, client, storage) ends every part still streaming, so nothing waits forever
    const fail = (e: unknown) => {
      reject(e);
      body.unpipe(busboy);
      body.resume();
      for (const f of open) f.destroy(e instanceof Error ? e : new Error(String(e)));
    };
    busboy.on('file', (name, stream, filename, _encoding, mimeType) => {
      if (name !== opts.field || !filename) {
        stream.resume();
        return;
      }
      open.add(stream);
      const contentType = mimeType.toLowerCase();
      const key = opts.keyFor(filename, contentType);
      const part = (async (): Promise<FilePart> => {
        let size = 0;
        try {
          if (key) size = await opts.storage.put(key, stream, contentType);
          else {
            stream.on('data', (chunk: Buffer) => (size += chunk.length));
            await streamFinished(stream);
          }
        } finally {
          open.delete(stream);
        }
        const tooLarge = stream.truncated || size > opts.maxSize;
        if (tooLarge && key) await opts.storage.delete(key);
        return { kind: 'file', filename, contentType, size, tooLarge, key: tooLarge ? null : key };
      })();
      part.catch(fail);
      files.push(part);
    });
    busboy.on('field', (name) => {
      if (name === opts.field) sawField = true;
    });
    busboy.on('finish', resolve);
    busboy.on('error', (e) => fail(new MultipartParseError((e as Error).message)));
    body.on('error', fail);
    body.on('aborted', () => fail(new MultipartParseError('request aborted')));
  });
  body.pipe(busboy);

  const done = await Promise.allSettled([finished]);
  const settled = await Promise.allSettled(files);
  const parts = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = [...done, ...settled].find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
  const winner = failed ? undefined : parts[parts.length - 1];
  for (const p of parts) if (p !== winner && p.key) await opts.storage.delete(p.key);
  if (failed) throw failed.reason;
  if (winner) return winner;
  return sawField ? { kind: 'not-a-file' } : { kind: 'none' };
}
