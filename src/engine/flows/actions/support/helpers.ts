import type { GroupAsset, LabelAsset, UserAsset } from '../../assets.ts';
import { dependencyError, ErrorCodes, errorFields, type EventLogger } from '../../core/events.ts';
import { truncateEllipsis } from '../../core/results.ts';
import { applyModifier, type Modifier } from '../../modifiers/apply.ts';
import type { Run } from '../../run.ts';

export interface QuickReply { type: string; text?: string; extra?: string }
export interface MsgContent { text: string; attachments: string[]; quick_replies: QuickReply[] }

const CONTENT_TYPE = /^(image|audio|video|application|geo|unavailable|(\w+\/[-+.\w]+))$/;
const MAX_ATTACHMENT_LENGTH = 2048;

export function isValidAttachment(s: string): boolean {
  const i = s.indexOf(':');
  return i >= 0 && CONTENT_TYPE.test(s.slice(0, i).toLowerCase()) && s.slice(i + 1) !== '';
}

/** Parses quick reply syntax: `<location>text`, `<form>text<extra>id`, `<url>text<extra>url`, `text<extra>desc`. */
export function parseQuickReply(s: string): QuickReply {
  if (s.startsWith('<location>')) return { type: 'location', text: s.slice('<location>'.length) };
  let type = 'text';
  if (s.startsWith('<form>')) { type = 'form'; s = s.slice(6); } else if (s.startsWith('<url>')) { type = 'url'; s = s.slice(5); }
  const i = s.indexOf('<extra>');
  const qr: QuickReply = { type, text: i >= 0 ? s.slice(0, i) : s };
  if (i >= 0) qr.extra = s.slice(i + 7);
  return qr;
}

/** Localizes and evaluates message text, attachments and quick replies; returns content and language. */
export function evaluateMessage(
  run: Run, uuid: string, text: string, attachments: string[], quickReplies: string[], log: EventLogger,
  languages?: string[],
): [MsgContent, string] {
  return run.withSharedContext(() => evaluateMessageParts(run, uuid, text, attachments, quickReplies, log, languages));
}

function evaluateMessageParts(
  run: Run, uuid: string, text: string, attachments: string[], quickReplies: string[], log: EventLogger,
  languages?: string[],
): [MsgContent, string] {
  const [texts, textLang] = run.textArray(uuid, 'text', [text], languages);
  const [evaluatedText] = run.evaluate(texts[0] ?? '', log);

  const [atts, attLang] = run.textArray(uuid, 'attachments', attachments, languages);
  const evaluatedAtts: string[] = [];
  for (const a of atts) {
    const value = run.evaluate(a, log)[0].trim();
    if (!isValidAttachment(value)) {
      log('error', { text: 'Attachment evaluated to invalid value and will be ignored' });
    } else if (value.length > MAX_ATTACHMENT_LENGTH) {
      log('error', { text: `Evaluated attachment is longer than the ${MAX_ATTACHMENT_LENGTH} limit and will be ignored` });
    } else evaluatedAtts.push(value);
  }

  const [qrs, qrLang] = run.textArray(uuid, 'quick_replies', quickReplies, languages);
  const evaluatedQRs: QuickReply[] = [];
  for (const q of qrs) {
    const value = run.evaluate(q, log)[0];
    if (value === '') {
      log('error', { text: 'Quick reply evaluated to empty string and will be ignored' });
      continue;
    }
    const qr = parseQuickReply(value);
    if (qr.text !== undefined) qr.text = truncateEllipsis(qr.text, 64);
    if (qr.extra !== undefined) qr.extra = truncateEllipsis(qr.extra, 1000);
    if (!qr.text) delete qr.text;
    if (!qr.extra) delete qr.extra;
    evaluatedQRs.push(qr);
  }

  let lang = '';
  if ((texts[0] ?? '') !== '') lang = textLang;
  else if (atts.length) lang = attLang;
  else if (qrs.length) lang = qrLang;
  return [{ text: evaluatedText, attachments: evaluatedAtts, quick_replies: evaluatedQRs }, lang];
}

/** Locale as goflow builds it: language + merged default country (`eng-US`), or either alone. */
export function currentLocale(run: Run, lang: string): string {
  const country = run.session.mergedEnv().defaultCountry ?? '';
  if (!lang) return '';
  return country ? `${lang}-${country}` : lang;
}

interface AssetRefJSON { uuid?: string; name?: string; name_match?: string }

function resolveByRef<T>(
  run: Run, refs: AssetRefJSON[], log: EventLogger, kind: string, byUUID: (uuid: string) => T | undefined,
  byName: (name: string) => T | undefined, missingCode: string,
): T[] {
  const out: T[] = [];
  for (const ref of refs ?? []) {
    let found: T | undefined;
    if (ref.name_match !== undefined) {
      const [name, ok] = run.evaluate(ref.name_match, log);
      if (!ok) continue;
      found = byName(name);
      if (!found) log('error', errorFields(`No such ${kind} with name '${name}'`, missingCode, { name }));
    } else {
      found = byUUID(ref.uuid ?? '');
      if (!found) log('error', dependencyError(kind, { uuid: ref.uuid, name: ref.name }));
    }
    if (found) out.push(found);
  }
  return out;
}

export function resolveGroups(run: Run, refs: AssetRefJSON[], log: EventLogger): GroupAsset[] {
  const a = run.session.assets;
  return resolveByRef(run, refs, log, 'group', (u) => a.group(u), (n) => a.groupByName(n), ErrorCodes.groupMissing);
}

export function resolveLabels(run: Run, refs: AssetRefJSON[], log: EventLogger): LabelAsset[] {
  const a = run.session.assets;
  return resolveByRef(run, refs, log, 'label', (u) => a.label(u), (n) => a.labelByName(n), ErrorCodes.labelMissing);
}

/** A user reference is `{uuid, name}`, or `{email}` holding a template evaluated to an address. */
export function resolveUser(run: Run, ref: { uuid?: string; name?: string; email?: string }, log: EventLogger): UserAsset | undefined {
  const a = run.session.assets;
  if (!ref.uuid && ref.email !== undefined) {
    const [email, ok] = run.evaluate(ref.email, log);
    if (!ok) return undefined;
    const user = a.userByEmail(email);
    if (!user) log('error', errorFields(`No such user with email '${email}'`, ErrorCodes.userMissing, { email }));
    return user;
  }
  const user = a.user(ref.uuid ?? '');
  if (!user) log('error', dependencyError('user', { uuid: ref.uuid, name: ref.name }));
  return user;
}

/** Applies a contact modifier in the run's session (smart groups re-evaluated on change). */
export function modifyContact(run: Run, mod: Modifier, log: EventLogger): boolean {
  const s = run.session;
  return applyModifier(s.contact, mod, { env: s.mergedEnv(), options: s.options, services: s.services, log });
}

/** Fails the run from inside an action. */
export function failRunFromAction(run: Run, text: string, log: EventLogger): void {
  run.exit('failed');
  log('failure', { text });
  log('run_ended', { run_uuid: run.uuid, flow: run.flowRef, status: 'failed' });
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);
