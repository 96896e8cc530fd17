// Body fields shared by broadcasts and messages: translated text / attachments / quick replies
// (api-v2.md §3.10), contact, group and label references (§1.14).
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { pythonType, type BodyValidator } from '../validation.ts';
import { findGroupsByRefs, resolveContactRefs, type ContactRow } from '../../models/contacts.ts';
import { urnIdentityOfReference } from '../../models/urns.ts';
import type { QuickReplyValue } from '../../models/msgs.ts';
import { attachmentsOfMedia } from '../../models/media.ts';

export const MAX_REFS = 100;
export const MAX_TEXT = 4096;
export const MAX_ATTACHMENTS = 10;
export const MAX_QUICK_REPLIES = 10;
export const MAX_LANGUAGES = 50;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** ISO 639-3 codes that have an ISO 639-1 equivalent, plus mul and und (translation languages). */
const ALLOWED = new Set(
  ('aarabkafrakaamharaargasmavaaveaymazebakbambelbenbisbodbosbrebulcatceschachechuchvcorcoscrecymdandeudivdzoellengepoesteusewefaofasfijfinfra' +
    'fryfulglagleglgglvgrngujhathauhbshebherhinhmohrvhunhyeiboidoiiiikuileinaindipkislitajavjpnkalkankaskatkaukazkhmkikkinkirkomkonkorkuakurlao' +
    'latlavlimlinlitltzlublugmahmalmarmkdmlgmltmonmrimsamyanaunavnblndendonepnldnnonobnornyaociojioriormosspanplipolporpusquerohronrunrussagsan' +
    'sinslkslvsmesmosnasndsomsotspasqisrdsrpsswsunswaswetahtamtatteltgktglthatirtontsntsotukturtwiuigukrurduzbvenvievolwlnwolxhoyidyorzhazhozul')
    .match(/.../g)!.concat(['mul', 'und']),
);
export const isAllowedLanguage = (code: string) => ALLOWED.has(code);
const LANGUAGE_ERROR = 'Not an allowed ISO 639-3 language code.';

/** A DRF CharField child: trimmed string or an error message. */
function charValue(raw: unknown, maxLength: number, allowBlank = false): { value: string } | { error: string } {
  if (raw === null) return { error: 'This field may not be null.' };
  if (typeof raw !== 'string' && typeof raw !== 'number') return { error: 'Not a valid string.' };
  const s = String(raw).trim();
  if (s === '' && !allowBlank) return { error: 'This field may not be blank.' };
  if ([...s].length > maxLength) return { error: `Ensure this field has no more than ${maxLength} characters.` };
  if (s.includes('\0')) return { error: 'Null characters are not allowed.' };
  return { value: s };
}

/** A list field: the raw items, or undefined after recording the error. */
export function listOf(v: BodyValidator, name: string, raw: unknown, max: number, errKey?: (e: string[]) => unknown): unknown[] | undefined {
  const fail = (m: string) => v.fail(name, errKey ? errKey([m]) : [m]);
  if (raw === null) return fail('This field may not be null.');
  if (!Array.isArray(raw)) return fail(`Expected a list of items but got type "${pythonType(raw)}".`);
  if (raw.length > max) return fail(`Ensure this field has no more than ${max} elements.`);
  return raw;
}

/**
 * The media UUIDs an attachment reference may name (§1.14): a bare media UUID (any form Python's
 * UUID() reads), or the lowercase canonical UUIDs inside the URL of a `<content-type>:<url>` string.
 * Upstream takes the first UUID of the URL, its media URLs having no other; ours also name the
 * workspace (`/media/<org uuid>/<media uuid>/...`), so every UUID of the URL is a candidate.
 */
function mediaUuidsOf(ref: string): string[] {
  const bare = ref.replace(/urn:|uuid:/gi, '').replace(/^\{+|\}+$/g, '').replace(/-/g, '');
  if (/^[0-9a-f]{32}$/i.test(bare)) {
    const h = bare.toLowerCase();
    return [`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`];
  }
  const colon = ref.indexOf(':');
  if (colon < 0 || !ATTACHMENT_TYPE.test(ref.slice(0, colon))) return [];
  // a few are enough for any media URL; a long string of UUIDs must not become a long query
  return (ref.slice(colon + 1).match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g) ?? []).slice(0, 4);
}
const ATTACHMENT_TYPE = /^(image|audio|video|application|geo|unavailable|(\w+\/[-+.\w]+))$/;

/** Media UUID → `content_type:url` of this workspace, for every media reference in an attachments body value. */
export async function attachmentMedia(db: Kysely<DB>, orgId: number, raw: unknown): Promise<Map<string, string>> {
  const lists = Array.isArray(raw) ? [raw] : raw && typeof raw === 'object' ? Object.values(raw).slice(0, MAX_LANGUAGES) : [];
  const uuids = new Set<string>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const a of list.slice(0, MAX_ATTACHMENTS)) {
      if (typeof a === 'string') for (const u of mediaUuidsOf(a.trim())) uuids.add(u);
    }
  }
  return attachmentsOfMedia(db, orgId, [...uuids]);
}

/**
 * Attachments, resolved to `<content-type>:<url>` strings: a media reference must be one of the
 * workspace's media (`media`, from attachmentMedia) and becomes that media's type and URL. Anything
 * else is `No such object`, except (our extension, kept from before media uploads existed) a
 * `<type>/<subtype>:http(s)://` string whose URL names no media, which is taken as it is.
 */
export function attachmentErrors(items: unknown[], media: Map<string, string> = new Map()): { values: string[] } | { error: string } {
  const values: string[] = [];
  for (const a of items) {
    if (typeof a !== 'string' && typeof a !== 'number') return { error: 'Must be a string or integer' };
    const s = String(a).trim();
    const uuids = typeof a === 'string' ? mediaUuidsOf(s) : [];
    // as upstream: a reference must name the workspace's own media (by UUID, or a `type:url` whose
    // URL holds the UUID); a bare outside URL is not accepted
    const resolved = uuids.map((u) => media.get(u)).find(Boolean);
    if (!resolved) return { error: `No such object: ${s}` };
    values.push(resolved);
  }
  return { values };
}

/** Quick replies (§3.10): each an object (or a bare string, meaning a text reply), errors by index. */
export function quickReplies(items: unknown[]): { values: QuickReplyValue[] } | { errors: Record<string, string[]> } {
  const values: QuickReplyValue[] = [];
  const errors: Record<string, string[]> = {};
  items.forEach((item, i) => {
    let obj: Record<string, unknown>;
    if (typeof item === 'string') obj = { text: item };
    else if (item && typeof item === 'object' && !Array.isArray(item)) obj = item as Record<string, unknown>;
    else {
      errors[String(i)] = [`Invalid data. Expected a dictionary, but got ${pythonType(item)}.`];
      return;
    }
    const type = obj.type === undefined ? 'text' : obj.type;
    if (!['text', 'form', 'url', 'location'].includes(String(type)) || typeof type !== 'string') {
      errors[String(i)] = [`"${String(type)}" is not a valid choice.`];
      return;
    }
    const qr: QuickReplyValue = { type };
    for (const [key, max] of [['text', 64], ['extra', 1000]] as const) {
      if (obj[key] === undefined || obj[key] === null) continue;
      const r = charValue(obj[key], max, true);
      if ('error' in r) {
        errors[String(i)] = [r.error];
        return;
      }
      if (r.value !== '') qr[key] = r.value;
    }
    if (type === 'text' && !qr.text) errors[String(i)] = ["Quick replies of type 'text' require a 'text' value."];
    else if ((type === 'form' || type === 'url') && (!qr.text || !qr.extra)) errors[String(i)] = [`Quick replies of type '${type}' require 'text' and 'extra' values.`];
    else if (type === 'location' && qr.extra !== undefined) errors[String(i)] = ["Quick replies of type 'location' cannot have an 'extra' value."];
    else values.push(qr);
  });
  return Object.keys(errors).length ? { errors } : { values };
}

type Kind = 'text' | 'attachments' | 'quick_replies';

/**
 * A translated field: a bare value (the workspace's primary language) or `{lang: value}`. Returns
 * the per-language values, or undefined after recording the field's errors.
 */
export function translatedField(v: BodyValidator, name: Kind, primary: string, media?: Map<string, string>): Record<string, unknown> | undefined {
  if (!v.has(name)) return undefined;
  const raw = v.body[name];
  if (raw === null) return v.fail(name, ['This field may not be null.']);
  let dict: Record<string, unknown>;
  const isDict = typeof raw === 'object' && !Array.isArray(raw);
  if (isDict) {
    dict = raw as Record<string, unknown>;
    if (!Object.keys(dict).length) return v.fail(name, ['This dictionary may not be empty.']);
    if (Object.keys(dict).length > MAX_LANGUAGES) return v.fail(name, [`Ensure this field has no more than ${MAX_LANGUAGES} elements.`]);
  } else {
    if (name === 'text' && typeof raw !== 'string' && typeof raw !== 'number') return v.fail(name, ['Not a valid string.']);
    if (name !== 'text' && !Array.isArray(raw)) return v.fail(name, [`Expected a list of items but got type "${pythonType(raw)}".`]);
    dict = { [primary]: raw };
  }
  const out: Record<string, unknown> = {};
  const errors: Record<string, unknown> = {};
  for (const [lang, value] of Object.entries(dict)) {
    if (!isAllowedLanguage(lang)) {
      errors[lang] = [LANGUAGE_ERROR];
      continue;
    }
    if (name === 'text') {
      const r = charValue(value, MAX_TEXT);
      if ('error' in r) errors[lang] = [r.error];
      else out[lang] = r.value;
      continue;
    }
    if (value === null) {
      errors[lang] = ['This field may not be null.'];
      continue;
    }
    if (!Array.isArray(value)) {
      errors[lang] = [`Expected a list of items but got type "${pythonType(value)}".`];
      continue;
    }
    const max = name === 'attachments' ? MAX_ATTACHMENTS : MAX_QUICK_REPLIES;
    if (value.length > max) {
      errors[lang] = [`Ensure this field has no more than ${max} elements.`];
      continue;
    }
    if (name === 'attachments') {
      const r = attachmentErrors(value, media);
      if ('error' in r) errors[lang] = [r.error];
      else out[lang] = r.values;
    } else {
      const r = quickReplies(value);
      if ('errors' in r) errors[lang] = r.errors;
      else out[lang] = r.values;
    }
  }
  if (Object.keys(errors).length) return v.fail(name, errors);
  return out;
}

/** Contact references (UUID or E.164 URN), all or an error on the field. */
export async function contactRefs(v: BodyValidator, db: Kysely<DB>, orgId: number, name: string, raws: unknown[]): Promise<ContactRow[] | undefined> {
  for (const r of raws) if (typeof r !== 'string' && typeof r !== 'number') return v.fail(name, ['Must be a string or integer']);
  const refs = raws.map((r) => {
    const s = String(r);
    return { uuid: CANONICAL_UUID.test(s) ? s : undefined, identity: urnIdentityOfReference(s) ?? undefined };
  });
  const found = await resolveContactRefs(db, orgId, refs);
  const missing = found.findIndex((c) => !c);
  if (missing >= 0) return v.fail(name, [`No such object: ${String(raws[missing])}`]);
  return found as ContactRow[];
}

/** Group references (UUID or name, smart groups allowed). */
export async function groupRefs(v: BodyValidator, db: Kysely<DB>, orgId: number, name: string, raws: unknown[]): Promise<number[] | undefined> {
  for (const r of raws) if (typeof r !== 'string' && typeof r !== 'number') return v.fail(name, ['Must be a string or integer']);
  const refs = raws.map(String);
  const found = await findGroupsByRefs(db, orgId, refs);
  const ids: number[] = [];
  for (const ref of refs) {
    const lower = ref.toLowerCase();
    const g = found.find((x) => x.uuid === lower) ?? found.find((x) => x.name.toLowerCase() === lower);
    if (!g) return v.fail(name, [`No such object: ${ref}`]);
    ids.push(g.id);
  }
  return ids;
}

/** `type:url` attachments rendered as message read objects. */
export function attachmentObject(a: string): { content_type: string; url: string } {
  const i = a.indexOf(':');
  return { content_type: a.slice(0, i), url: a.slice(i + 1) };
}
