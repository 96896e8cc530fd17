import type { TemplateAsset, TemplateTranslation } from '../assets.ts';
import { check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import type { Run } from '../run.ts';
import { currentLocale, evaluateMessage, isValidAttachment, str, strs, type MsgContent } from './support/helpers.ts';
import { MSG_FIELDS, defineAction, uuidRefs, UNIVERSAL } from './support/types.ts';

interface SendMsg extends ActionDef {
  text: string; attachments?: string[]; quick_replies?: string[];
  template?: { uuid: string; name: string }; template_variables?: string[];
}

/** Picks a template translation for the channel: exact locale, then same language, then the first. */
function findTranslation(template: TemplateAsset, channelUUID: string, locales: string[]): TemplateTranslation | undefined {
  const candidates = template.translations.filter((t) => t.channel.uuid === channelUUID);
  if (!candidates.length) return undefined;
  for (const l of locales) {
    const exact = candidates.find((c) => c.locale === l);
    if (exact) return exact;
    const lang = candidates.find((c) => c.locale.split('-')[0] === l.split('-')[0]);
    if (lang) return lang;
  }
  return candidates[0];
}

function templating(template: TemplateAsset, tr: TemplateTranslation, vars: string[]) {
  const variables = tr.variables.map((v, i) => ({ type: v.type, value: vars[i] ?? '' }));
  const components = tr.components
    .filter((c) => Object.keys(c.variables ?? {}).length > 0)
    .map((c) => ({ name: c.name, type: c.type, variables: c.variables }));
  const out: Record<string, unknown> = { template: { uuid: template.uuid, name: template.name } };
  if (components.length) out.components = components;
  if (variables.length) out.variables = variables;
  return { out, variables };
}

function preview(tr: TemplateTranslation, vars: { type: string; value: string }[]): MsgContent {
  const text: string[] = [];
  const attachments: string[] = [];
  const quickReplies: MsgContent['quick_replies'] = [];
  for (const comp of tr.components) {
    let content = comp.content;
    for (const [key, index] of Object.entries(comp.variables ?? {})) {
      const v = vars[index];
      if (!v) continue;
      if (v.type === 'text') content = content.split(`{{${key}}}`).join(v.value);
      else if (['image', 'video', 'document'].includes(v.type) && isValidAttachment(v.value)) attachments.push(v.value);
    }
    if (!content) continue;
    if (['header/text', 'body/text', 'footer/text'].includes(comp.type)) text.push(content);
    else if (comp.type.startsWith('button/')) quickReplies.push({ type: 'text', text: content });
  }
  return { text: text.join('\n\n'), attachments, quick_replies: quickReplies };
}

function unsendableReason(run: Run, content: MsgContent): string {
  const status = run.contact.status;
  if (status !== 'active') return `contact_${status}`;
  return run.session.services.checkSendable?.(run.contact, content.text) ?? '';
}

/** Builds the `msg` of a msg_created event. */
export function msgOut(urn: string, channel: { uuid: string; name: string } | null, content: MsgContent, extra: {
  templating?: unknown; locale?: string; unsendable?: string;
}): Record<string, unknown> {
  const msg: Record<string, unknown> = {};
  if (urn) msg.urn = urn;
  if (channel) msg.channel = channel;
  msg.text = content.text;
  if (content.attachments.length) msg.attachments = content.attachments;
  if (content.quick_replies.length) msg.quick_replies = content.quick_replies;
  if (extra.templating) msg.templating = extra.templating;
  if (extra.locale) msg.locale = extra.locale;
  if (extra.unsendable) msg.unsendable_reason = extra.unsendable;
  return msg;
}

export default defineAction<SendMsg>({
  type: 'send_msg',
  flowTypes: UNIVERSAL,
  inspect: (a, add) => uuidRefs('template', a.template, add),
  textFields: MSG_FIELDS,
  validate: (a) => collect(
    check.required('text', a.text),
    check.maxLength('text', a.text, 10000),
    check.maxItems('attachments', a.attachments, 10),
    check.maxItems('quick_replies', a.quick_replies, 10),
    check.eachMaxLength('quick_replies', a.quick_replies, 1000),
  ),
  execute(run, _step, a, log) {
    const [content, lang] = evaluateMessage(run, a.uuid, str(a.text), strs(a.attachments), strs(a.quick_replies), log);
    const reason = unsendableReason(run, content);
    const assets = run.session.assets;
    const template = a.template ? assets.template(a.template.uuid) : undefined;
    const templateVars = template ? strs(a.template_variables).map((v) => run.evaluate(v, log)[0]) : [];
    const route = run.contact.route();
    const locale = currentLocale(run, lang);

    if (!route) {
      log('msg_created', { msg: msgOut('', null, content, { locale, unsendable: 'no_route' }) });
      return;
    }
    const channel = { uuid: route.channel.uuid, name: route.channel.name };
    const urn = `${route.urn.scheme}:${route.urn.path}`;
    if (template) {
      const env = run.session.mergedEnv();
      const baseCountry = run.session.env.defaultCountry;
      const baseLang = run.session.envDefaultLanguage();
      const locales = [
        env.defaultLanguage ? (env.defaultCountry ? `${env.defaultLanguage}-${env.defaultCountry}` : env.defaultLanguage) : '',
        baseLang ? (baseCountry ? `${baseLang}-${baseCountry}` : baseLang) : '',
      ].filter(Boolean);
      const tr = findTranslation(template, route.channel.uuid, locales);
      if (tr) {
        const t = templating(template, tr, templateVars);
        log('msg_created', { msg: msgOut(urn, channel, preview(tr, t.variables), { templating: t.out, locale: tr.locale, unsendable: reason }) });
        return;
      }
    }
    log('msg_created', { msg: msgOut(urn, channel, content, { locale, unsendable: reason }) });
  },
});
