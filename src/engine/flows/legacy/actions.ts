/** Converts one legacy action (`reply`, `save`, `add_group`...) to its new action. */
import { migrateTemplate } from './expressions/migrate.ts';
import { LegacyDefinitionError } from './errors.ts';
import type { LocalizationBuilder } from './localization.ts';
import { asObject, contactReference, flowReference, list, nameMatchedReference, text } from './references.ts';
import { type Translations, byLanguage, readTranslations, urlJoin } from './translations.ts';
import { URN_SCHEMES } from './urn_schemes.ts';

export interface ActionContext {
  baseLanguage: string;
  localization: LocalizationBuilder;
  baseMediaURL: string;
}

type Action = Record<string, unknown>;
type Legacy = Record<string, unknown>;

/** Sets the property only when the value is non-empty, as the new format omits empty ones. */
function withOptional(action: Action, props: Record<string, unknown>): Action {
  for (const [k, v] of Object.entries(props)) {
    const empty = v === undefined || v === '' || v === false || (Array.isArray(v) && v.length === 0);
    if (!empty) action[k] = v;
  }
  return action;
}

const groupRefs = (a: Legacy) => list(a.groups).map((g) => nameMatchedReference(g, 'group'));
const contactRefs = (a: Legacy) => list(a.contacts).map(contactReference);
const variableIDs = (a: Legacy) => list(a.variables).map((v) => text(asObject(v)?.id));

/** Media is `type:url`; bare uploads are images and get the media host prepended. */
function absoluteMedia(media: Translations, baseMediaURL: string): Translations {
  const out: Translations = new Map();
  for (const [lang, attachment] of media) {
    const colon = attachment.indexOf(':');
    const [type, url] = colon >= 0 ? [attachment.slice(0, colon), attachment.slice(colon + 1)] : ['image', attachment];
    // an attachment holding an expression is evaluated at run time, not a stored upload
    out.set(lang, url.includes('@') ? attachment : `${type}:${urlJoin(baseMediaURL, url)}`);
  }
  return out;
}

function migrateMessage(a: Legacy, uuid: string, ctx: ActionContext): Action {
  const msg = readTranslations(a.msg, 'msg');
  const media = readTranslations(a.media, 'media');
  let quickReplies: Map<string, string[]> | null = null;
  if (a.quick_replies !== undefined && a.quick_replies !== null) {
    if (!Array.isArray(a.quick_replies)) throw new LegacyDefinitionError('quick_replies must be a list');
    quickReplies = byLanguage(a.quick_replies.map((q) => readTranslations(q, 'quick_replies') ?? new Map()));
  }

  const loc = ctx.localization;
  const textBase = loc.addText(ctx.baseLanguage, msg, uuid, 'text');
  const mediaBase = loc.addText(ctx.baseLanguage, media ? absoluteMedia(media, ctx.baseMediaURL) : null, uuid, 'attachments');
  const repliesBase = loc.addList(ctx.baseLanguage, quickReplies, uuid, 'quick_replies');
  const attachments = mediaBase ? [mediaBase] : [];

  if (a.type === 'reply') {
    return withOptional({ uuid, type: 'send_msg', text: textBase }, {
      attachments, quick_replies: repliesBase, all_urns: a.send_all === true,
    });
  }
  return withOptional({ uuid, type: 'send_broadcast', text: textBase }, {
    attachments,
    quick_replies: repliesBase,
    contacts: contactRefs(a),
    groups: groupRefs(a),
    legacy_vars: variableIDs(a).map((v) => migrateTemplate(v)),
  });
}

function migrateSave(a: Legacy, uuid: string): Action {
  const field = text(a.field);
  let value = migrateTemplate(text(a.value));
  if (field === 'name' || field === 'first_name') {
    // only the first name changes: keep the rest of the current name
    if (field === 'first_name') value = `${value.trim()} @(word_slice(contact.name, 1, -1))`;
    return { uuid, type: 'set_contact_name', name: value };
  }
  if (URN_SCHEMES.has(field)) return { uuid, type: 'add_contact_urn', scheme: field, path: value };
  if (field === 'tel_e164') return { uuid, type: 'add_contact_urn', scheme: 'tel', path: value };
  return { uuid, type: 'set_contact_field', field: { key: field, name: text(a.label) }, value };
}

function migrateSay(a: Legacy, uuid: string, ctx: ActionContext): Action {
  const msg = readTranslations(a.msg, 'msg');
  const recording = readTranslations(a.recording, 'recording');
  const audio: Translations = new Map();
  for (const [lang, url] of recording ?? []) audio.set(lang, url ? urlJoin(ctx.baseMediaURL, url) : url);

  const textBase = ctx.localization.addText(ctx.baseLanguage, msg, uuid, 'text');
  const audioBase = ctx.localization.addText(ctx.baseLanguage, recording ? audio : null, uuid, 'audio_url');
  return withOptional({ uuid, type: 'say_msg', text: textBase }, { audio_url: audioBase });
}

export function migrateAction(a: Legacy, ctx: ActionContext): Action {
  const uuid = text(a.uuid);
  switch (a.type) {
    case 'add_label':
      return { uuid, type: 'add_input_labels', labels: list(a.labels).map((l) => nameMatchedReference(l, 'label')) };
    case 'email': {
      if (typeof a.msg !== 'string') throw new LegacyDefinitionError('email msg must be text');
      return {
        uuid,
        type: 'send_email',
        addresses: list(a.emails).map((e) => migrateTemplate(text(e))),
        subject: migrateTemplate(text(a.subject)),
        body: migrateTemplate(a.msg),
      };
    }
    case 'lang':
      return { uuid, type: 'set_contact_language', language: text(a.lang) };
    case 'channel':
      return { uuid, type: 'set_contact_channel', channel: { uuid: text(a.channel), name: text(a.name) } };
    case 'flow':
      return { uuid, type: 'enter_flow', flow: flowReference(a.flow), terminal: true };
    case 'trigger-flow': {
      const vars = variableIDs(a);
      return withOptional({ uuid, type: 'start_session', flow: flowReference(a.flow) }, {
        contacts: contactRefs(a),
        groups: groupRefs(a),
        // @new_contact was a marker asking for a new contact, not a recipient
        legacy_vars: vars.filter((v) => v !== '@new_contact').map((v) => migrateTemplate(v)),
        create_contact: vars.includes('@new_contact'),
      });
    }
    case 'reply':
    case 'send':
      return migrateMessage(a, uuid, ctx);
    case 'add_group':
      return { uuid, type: 'add_contact_groups', groups: groupRefs(a) };
    case 'del_group': {
      const groups = groupRefs(a);
      // no groups meant "remove from all groups"
      return withOptional({ uuid, type: 'remove_contact_groups' }, { groups, all_groups: groups.length === 0 });
    }
    case 'save':
      return migrateSave(a, uuid);
    case 'say':
      return migrateSay(a, uuid, ctx);
    case 'play':
      // the URL is already absolute
      return { uuid, type: 'play_audio', audio_url: migrateTemplate(text(a.url)) };
    default:
      throw new LegacyDefinitionError(`unable to migrate legacy action type: ${text(a.type)}`);
  }
}
