import type { Environment } from '../../environment.ts';
import type { Contact } from '../core/contact.ts';
import type { EventLogger } from '../core/events.ts';
import type { EngineOptions } from '../options.ts';
import type { EngineServices } from '../services.ts';
import { reevaluateSmartGroups } from '../smart-groups.ts';

/** What a modifier may use besides the contact. */
export interface ModifierContext {
  env: Environment;
  options: EngineOptions;
  services: EngineServices;
  log: EventLogger;
}

/** A contact change: applies itself and reports whether anything changed. */
export type Modifier = (contact: Contact, ctx: ModifierContext) => boolean;

/**
 * Applies a modifier; when it changed something, smart groups are re-evaluated and a contact that
 * is no longer active leaves its manual groups, logged as one contact_groups_changed.
 */
export function applyModifier(contact: Contact, mod: Modifier, ctx: ModifierContext): boolean {
  const modified = mod(contact, ctx);
  if (modified) {
    contact.revision++;
    reevaluateGroups(contact, ctx);
  }
  return modified;
}

export function reevaluateGroups(contact: Contact, ctx: ModifierContext): void {
  const { added, removed } = reevaluateSmartGroups(contact, ctx.env, ctx.services);
  if (contact.status !== 'active') {
    for (const g of contact.groups) {
      if (!contact.assets.group(g.uuid)?.query) removed.push(g);
    }
    contact.groups = [];
  }
  if (added.length || removed.length) {
    const fields: Record<string, unknown> = {};
    if (added.length) fields.groups_added = added;
    if (removed.length) fields.groups_removed = removed;
    ctx.log('contact_groups_changed', fields);
  }
}
