import { evaluateMessage, str, strs } from './support/helpers.ts';
import { resolveRecipients, validateRecipients, type OtherContacts } from './support/recipients.ts';
import { check, collect } from '../definition/validate.ts';
import { MSG_FIELDS, RECIPIENT_FIELDS, defineAction, uuidRefs, ONLINE } from './support/types.ts';

interface SendBroadcast extends OtherContacts {
  text: string; attachments?: string[]; quick_replies?: string[];
  template?: { uuid: string; name: string }; template_variables?: string[];
}

/** Evaluates the message once per flow language and hands the broadcast to the host. */
export default defineAction<SendBroadcast>({
  type: 'send_broadcast',
  flowTypes: ONLINE,
  inspect: (a, add) => {
    uuidRefs('group', a.groups, add);
    uuidRefs('contact', a.contacts, add);
    uuidRefs('template', a.template, add);
  },
  textFields: [...RECIPIENT_FIELDS, ...MSG_FIELDS],
  validate: (a) => collect(check.required('text', a.text), check.maxItems('attachments', a.attachments, 10), check.maxItems('quick_replies', a.quick_replies, 10), ...validateRecipients(a)),
  execute(run, _step, a, log) {
    const r = resolveRecipients(run, a, log);
    if (run.session.batchStart && (r.groups.length || r.contactQuery)) {
      log('error', { text: "Can't send broadcasts to groups during batch starts" });
      return;
    }
    const flow = run.flow!;
    const translations: Record<string, unknown> = {};
    for (const lang of [flow.language, ...flow.localizedLanguages]) {
      const [content] = evaluateMessage(run, a.uuid, str(a.text), strs(a.attachments), strs(a.quick_replies), log, [lang, flow.language]);
      const t: Record<string, unknown> = { text: content.text };
      if (content.attachments.length) t.attachments = content.attachments;
      if (content.quick_replies.length) t.quick_replies = content.quick_replies;
      translations[lang] = t;
    }
    if (!(r.urns.length || r.groups.length || r.contacts.length || a.contact_query)) return;

    const fields: Record<string, unknown> = { translations, base_language: flow.language };
    if (r.groups.length) fields.groups = r.groups;
    if (r.contacts.length) fields.contacts = r.contacts;
    if (r.contactQuery) fields.contact_query = r.contactQuery;
    if (r.urns.length) fields.urns = r.urns;
    if (a.template && run.session.assets.template(a.template.uuid)) {
      fields.template = a.template;
      fields.template_variables = strs(a.template_variables).map((v) => run.evaluate(v, log)[0]);
    }
    log('broadcast_created', fields);
  },
});
