import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';

/**
 * Body parsing errors are deferred, not thrown by the parser: RapidPro authenticates and checks
 * permissions before it reads a body, so a bad body must not mask a 403 or 405.
 */
export class DeferredBodyError {
  constructor(readonly error: ApiError) {}
}

function pythonishJsonMessage(e: unknown): string {
  return (e as Error).message;
}

/**
 * A multipart body, left unread: an endpoint that takes files (media) streams it after
 * authentication; every other endpoint still refuses multipart with a 415 (readBody).
 */
export class MultipartBody {
  constructor(readonly stream: Readable, readonly contentType: string) {}
}

export const mediaTypeOf = (header: unknown) => String(header ?? '').split(';')[0].trim();
export const unsupportedMediaType = (ct: string) => new ApiError(415, { detail: `Unsupported media type "${ct}" in request.` });

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const s = String(text);
    if (s.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(s));
    } catch (e) {
      done(null, new DeferredBodyError(new ApiError(400, { detail: `JSON parse error - ${pythonishJsonMessage(e)}` })));
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(String(text))) {
      const prev = out[k];
      out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    done(null, out);
  });
  app.addContentTypeParser('multipart/form-data', (req, payload, done) => {
    done(null, new MultipartBody(payload, String(req.headers['content-type'])));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, _body, done) => {
    done(null, new DeferredBodyError(unsupportedMediaType(mediaTypeOf(req.headers['content-type']))));
  });
}

/** Reads a parsed body, raising a deferred parse error now. */
export function readBody(body: unknown): unknown {
  if (body instanceof DeferredBodyError) throw body.error;
  if (body instanceof MultipartBody) throw unsupportedMediaType(mediaTypeOf(body.contentType));
  return body;
}
