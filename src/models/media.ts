import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/**
 * Uploaded media (api-v2.md §2.17): files a workspace uploads to use as message attachments.
 * The upload rules are RapidPro's (temba/msgs Media): which declared content types are accepted,
 * the size limit, and how the stored filename is cleaned.
 */
export interface MediaRow {
  id: number;
  uuid: string;
  org_id: number;
  url: string;
  content_type: string;
  path: string;
  size: number;
  status: string;
  created_on: string;
}

/** Declared types accepted for upload; `*` matches any subtype (fnmatch upstream). */
export const ALLOWED_CONTENT_TYPES = [
  'image/apng', 'image/avif', 'image/gif', 'image/jpeg', 'image/png', 'image/webp', 'audio/*', 'video/*', 'application/pdf',
] as const;
export const MAX_UPLOAD_SIZE = 25 * 1024 * 1024;

export function isAllowedType(contentType: string): boolean {
  return ALLOWED_CONTENT_TYPES.some((allowed) => (allowed.endsWith('/*') ? contentType.startsWith(allowed.slice(0, -1)) : contentType === allowed));
}

/** The extension Python's mimetypes guesses for the allowed types (a file named without one gets it). */
const EXTENSIONS: Record<string, string> = {
  'image/avif': '.avif', 'image/gif': '.gif', 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp',
  'audio/mpeg': '.mp3', 'audio/mp4': '.m4a', 'audio/ogg': '.ogg', 'audio/wav': '.wav', 'audio/x-wav': '.wav', 'audio/aac': '.aac',
  'audio/webm': '.weba', 'audio/opus': '.opus', 'audio/3gpp': '.3gp', 'audio/amr': '.amr', 'video/mp4': '.mp4', 'video/mpeg': '.mpeg',
  'video/quicktime': '.mov', 'video/webm': '.webm', 'video/ogg': '.ogv', 'video/3gpp': '.3gp', 'video/x-msvideo': '.avi',
  'application/pdf': '.pdf',
};

/**
 * The stored name of an upload: the base keeps only word characters, `-`, `[]`, `()` and spaces
 * (`file` if nothing is left, at most 255 characters); an extension that is missing or not
 * alphanumeric is replaced by the one guessed from the content type, else `.bin`.
 */
export function cleanFilename(filename: string, contentType: string): string {
  // os.path.splitext: the last dot, unless everything before it is dots (".bashrc" has no extension)
  const dot = filename.lastIndexOf('.');
  const hasExt = dot > 0 && /[^.]/.test(filename.slice(0, dot));
  let base = hasExt ? filename.slice(0, dot) : filename;
  let ext = hasExt ? filename.slice(dot) : '';
  base = [...base.replace(/[^\p{L}\p{N}_\-[\]() ]/gu, '').trim()].slice(0, 255).join('') || 'file';
  if (ext.length < 2 || !/^[\p{L}\p{N}]+$/u.test(ext.slice(1))) ext = EXTENSIONS[contentType] ?? '.bin';
  return base + ext;
}

/** Browsers label .m4a uploads variously; the correct type is audio/mp4 (as upstream relabels). */
export function storedContentType(filename: string, declared: string): string {
  return filename.endsWith('.m4a') ? 'audio/mp4' : declared;
}

/** Where a media file lives in storage: one folder per workspace, then per media UUID. */
export function mediaPath(orgUuid: string, mediaUuid: string, filename: string): string {
  return `${orgUuid}/${mediaUuid}/${filename}`;
}

export interface NewMedia {
  uuid: string;
  url: string;
  contentType: string;
  path: string;
  size: number;
  createdById: number;
}

export async function insertMedia(db: Kysely<DB>, orgId: number, m: NewMedia): Promise<MediaRow> {
  return (await db
    .insertInto('media')
    .values({ uuid: m.uuid, org_id: orgId, url: m.url, content_type: m.contentType, path: m.path, size: m.size, status: 'R', created_by_id: m.createdById })
    .returning(['id', 'uuid', 'org_id', 'url', 'content_type', 'path', 'size', 'status', 'created_on'])
    .executeTakeFirstOrThrow()) as MediaRow;
}

export async function mediaExists(db: Kysely<DB>, orgId: number, uuid: string): Promise<boolean> {
  return !!(await db.selectFrom('media').select('id').where('org_id', '=', orgId).where('uuid', '=', uuid).executeTakeFirst());
}

/** The workspace's media among the given UUIDs (lowercase canonical), as `content_type:url` attachments. */
export async function attachmentsOfMedia(db: Kysely<DB>, orgId: number, uuids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!uuids.length) return out;
  const rows = await db.selectFrom('media').select(['uuid', 'content_type', 'url']).where('org_id', '=', orgId).where('uuid', 'in', uuids).execute();
  for (const r of rows) out.set(r.uuid, `${r.content_type}:${r.url}`);
  return out;
}

/** A stored file as its public URL names it: workspace UUID and media UUID. */
export async function findMediaForServing(db: Kysely<DB>, orgUuid: string, mediaUuid: string): Promise<{ content_type: string; path: string; size: number } | undefined> {
  return db
    .selectFrom('media as m')
    .innerJoin('orgs as o', 'o.id', 'm.org_id')
    .select(['m.content_type', 'm.path', 'm.size'])
    .where('o.uuid', '=', orgUuid)
    .where('m.uuid', '=', mediaUuid)
    .executeTakeFirst();
}
