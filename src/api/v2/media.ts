import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ApiContext, ApiResult, Endpoint } from '../endpoint.ts';
import { badRequest, detail, notFound, validationError } from '../errors.ts';
import { MultipartBody, mediaTypeOf, unsupportedMediaType } from '../bodies.ts';
import { checkWorkspaceWritable } from '../writes.ts';
import { uuidWriteLookup } from '../uuid-lookup.ts';
import {
  MAX_UPLOAD_SIZE, cleanFilename, insertMedia, isAllowedType, mediaExists, mediaPath, storedContentType, type MediaRow,
} from '../../models/media.ts';
import { mediaStorageOf } from '../../media/routes.ts';
import { MultipartParseError, readUpload, type UploadedPart } from '../../media/upload.ts';
import { MediaStorageError } from '../../media/storage.ts';

// POST media.json (api-v2.md §2.17): a multipart `file` part, stored and answered as
// {uuid, content_type, url, filename, size}. Messages are DRF's FileField ones and RapidPro's
// MediaWriteSerializer ones.
const NO_FILE = 'No file was submitted.';
const NOT_A_FILE = 'The submitted data was not a file. Check the encoding type on the form.';
const EMPTY = 'The submitted file is empty.';
const UNSUPPORTED = 'Unsupported file type.';

/** Python's repr of a float: `25.0`, `0.0009765625`. */
function pythonFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return `${n}.0`;
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}
export const tooLargeMessage = (max: number) => `Limit for file uploads is ${pythonFloat(max / (1024 * 1024))} MB.`;

export function serializeMedia(m: Pick<MediaRow, 'uuid' | 'content_type' | 'url' | 'path' | 'size'>) {
  return { uuid: m.uuid, content_type: m.content_type, url: m.url, filename: m.path.slice(m.path.lastIndexOf('/') + 1), size: m.size };
}

const origin = (req: FastifyRequest) => `${req.protocol}://${req.headers.host ?? 'localhost'}`;
const fileError = (message: string) => validationError({ file: [message] });

/** The upload parser classes are multipart and form only: JSON and anything else is a 415. */
function acceptedBody(req: FastifyRequest): MultipartBody | Record<string, unknown> {
  const body = req.body;
  if (body instanceof MultipartBody) return body;
  if (body === undefined) return {};
  const mediaType = mediaTypeOf(req.headers['content-type']);
  if (mediaType === 'application/x-www-form-urlencoded') return body as Record<string, unknown>;
  throw unsupportedMediaType(mediaType);
}

// A storage outage (or a storage refusing our credentials) is the server's fault, but the client
// is told plainly that nothing was stored rather than given the generic 500 page.
const storageUnavailable = () => detail(503, 'Media storage is unavailable; the file was not stored. Try again later.');

export const media: Endpoint = {
  name: 'media',
  handlers: {
    async POST(ctx) {
      try {
        return await upload(ctx);
      } catch (e) {
        if (!(e instanceof MediaStorageError)) throw e;
        ctx.req.log.error(e);
        throw storageUnavailable();
      }
    },
  },
};

async function upload({ req, db, workspace, userId }: ApiContext): Promise<ApiResult> {
  // quirk (§1.11): a lookup is honoured (404 when missing), then a new upload is stored anyway, with 200
  const lookup = uuidWriteLookup(req);
  if (lookup && !(await mediaExists(db, workspace.id, lookup))) throw notFound();
  const body = acceptedBody(req);
  checkWorkspaceWritable(workspace);

  let part: UploadedPart;
  const storage = mediaStorageOf(req.server);
  if (body instanceof MultipartBody) {
    const orgUuid = workspace.uuid;
    try {
      part = await readUpload(body.stream, body.contentType, {
        field: 'file',
        maxSize: MAX_UPLOAD_SIZE,
        storage,
        // only an upload that can be accepted is written; the others are just measured
        keyFor: (filename, contentType) => (isAllowedType(contentType) ? mediaPath(orgUuid, randomUUID(), cleanFilename(filename, contentType)) : null),
      });
    } catch (e) {
      if (e instanceof MultipartParseError) throw badRequest(`Multipart form parse error - ${e.message}`);
      throw e;
    }
  } else {
    part = Object.prototype.hasOwnProperty.call(body, 'file') ? { kind: 'not-a-file' } : { kind: 'none' };
  }

  if (part.kind === 'none') throw fileError(NO_FILE);
  if (part.kind === 'not-a-file') throw fileError(NOT_A_FILE);
  if (part.size === 0) {
    if (part.key) await storage.delete(part.key);
    throw fileError(EMPTY);
  }
  if (!isAllowedType(part.contentType)) throw fileError(UNSUPPORTED);
  if (part.tooLarge || !part.key) throw fileError(tooLargeMessage(MAX_UPLOAD_SIZE));

  const key = part.key;
  const [, mediaUuid, filename] = key.split('/');
  try {
    const row = await insertMedia(db, workspace.id, {
      uuid: mediaUuid, url: storage.url(key, origin(req)), contentType: storedContentType(filename, part.contentType),
      path: key, size: part.size, createdById: userId,
    });
    return { status: lookup ? 200 : 201, body: serializeMedia(row) };
  } catch (e) {
    await storage.delete(key);
    throw e;
  }
}
