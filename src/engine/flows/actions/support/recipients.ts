import { UUID_PATTERN } from '../../core/uuids.ts';
import { normalizeURN, parseURNString, validateURN } from '../../core/urns.ts';
import type { EventLogger } from '../../core/events.ts';
import { check, checkRefs, collect } from '../../definition/validate.ts';
import type { ActionDef } from '../../definition/flow.ts';
import { escapeQueryValue } from '../../../contactql/index.ts';
import type { Run } from '../../run.ts';
import { resolveGroups, str, strs } from './helpers.ts';
import { parseNumber } from '../../../urns/index.ts';

/** The recipient fields shared by send_broadcast and start_session. */
export interface OtherContacts extends ActionDef {
  groups?: { uuid?: string; name?: string; name_match?: string }[];
  contacts?: { uuid: string; name: string }[];
  contact_query?: string;
  urns?: string[];
  legacy_vars?: string[];
}

export function validateRecipients(a: OtherContacts): string[] {
  return collect(
    check.maxItems('groups', a.groups, 100), checkRefs('groups', a.groups),
    check.maxItems('contacts', a.contacts, 100), check.maxLength('contact_query', a.contact_query, 10000),
    check.maxItems('urns', a.urns, 100), check.maxItems('legacy_vars', a.legacy_vars, 100),
  );
}

export interface Recipients {
  groups: { uuid: string; name: string }[];
  contacts: { uuid: string; name: string }[];
  contactQuery: string;
  urns: string[];
}

/** Resolves groups, contacts, query and URNs, including the legacy variables. */
export function resolveRecipients(run: Run, a: OtherContacts, log: EventLogger): Recipients {
  const assets = run.session.assets;
  const urns = [...strs(a.urns)];
  const contacts = [...(a.contacts ?? [])].map((c) => ({ uuid: c.uuid, name: c.name }));
  const groups = resolveGroups(run, a.groups ?? [], log).map((g) => ({ uuid: g.uuid, name: g.name }));
  const country = run.session.mergedEnv().defaultCountry ?? '';

  for (const v of strs(a.legacy_vars)) {
    const value = run.evaluate(v, log)[0].trim();
    const group = assets.groupByName(value);
    const parsedURN = parseURNString(value);
    if (UUID_PATTERN.test(value)) contacts.push({ uuid: value, name: '' });
    else if (group) groups.push({ uuid: group.uuid, name: group.name });
    else if (parsedURN && !validateURN(normalizeURN(parsedURN.scheme, parsedURN.path))) {
      urns.push(normalizeURN(parsedURN.scheme, parsedURN.path));
    } else {
      const phone = parseNumber(value, country);
      if (phone) urns.push(`tel:${phone}`);
      else log('error', { text: `'${value}' couldn't be resolved to a contact, group or URN` });
    }
  }

  const query = run.evaluate(str(a.contact_query), log, { escape: escapeQueryValue })[0].trim();
  return { groups, contacts, contactQuery: query, urns };
}
