// The expression context persisted broadcasts are evaluated with (mailroom's reduced context: only
// @contact, @fields, @urns and @globals), built with the flow engine's own context builders so that
// `@contact.name`, `@fields.age`, `@urns.tel` and `@globals.x` render exactly as in flows. Contacts
// and assets come from the runtime's loaders (runtime/contacts.ts, runtime/assets.ts).
import type { Environment } from '../engine/environment.ts';
import type { SessionAssets } from '../engine/flows/assets.ts';
import type { Contact } from '../engine/flows/core/contact.ts';
import { contactContext, fieldsContext, urnsContext } from '../engine/flows/context/contact.ts';
import { globalsContext } from '../engine/flows/context/session.ts';
import { X } from '../engine/flows/expressions.ts';
import { evaluateTemplate, type XObject } from '../engine/excellent/index.ts';

/** The reduced root context: @contact, @fields, @urns, @globals. */
export function broadcastContext(contact: Contact, assets: SessionAssets, env: Environment): XObject {
  return X.force(X.object({
    contact: contactContext(contact, env),
    fields: fieldsContext(contact),
    urns: urnsContext(contact, env),
    globals: globalsContext(assets),
  })) as XObject;
}

/** Evaluates a broadcast template for one contact; failing expressions render as nothing. */
export function renderForContact(template: string, ctx: XObject, env: Environment): string {
  if (!template.includes('@')) return template;
  return evaluateTemplate(template, ctx, env).output;
}
