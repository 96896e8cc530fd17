import type { Environment } from '../../environment.ts';
import type { Contact, FieldValue } from '../core/contact.ts';
import { channelForURN, encodeURN, formatURNForDisplay, VALID_SCHEMES, type URN } from '../core/urns.ts';
import { lazy, X, type XVal, type XValue } from '../expressions.ts';
import { obfuscateID } from './obfuscate.ts';

const redacted = (env: Environment) => env.redactionPolicy === 'urns';

export function urnValue(u: URN, env: Environment): XVal {
  return X.text(redacted(env) ? `${u.scheme}:********` : encodeURN(u, true, false));
}

/** Name, else first URN, else (with URN redaction) the numeric id. */
export function formatContact(c: Contact, env: Environment): string {
  if (c.name) return c.name;
  if (redacted(env)) return String(c.id ?? 0);
  if (c.urns.length) {
    const u = c.urns[0];
    return formatURNForDisplay(u);
  }
  return '';
}

export const firstWord = (name: string): string | null => name.match(/[\p{M}\p{L}\p{N}_']+|\p{S}/u)?.[0] ?? null;

/** A field's value typed by the field's declared type, or null. */
export function fieldValue(type: string, v: FieldValue | undefined): XVal {
  if (!v) return null;
  switch (type) {
    case 'text': return X.text(v.text);
    case 'number': return v.number !== undefined && v.number !== null ? X.number(v.number) : null;
    case 'datetime': return v.datetime ? X.datetime(v.datetime) : null;
    case 'state': return v.state ? X.text(v.state) : null;
    case 'district': return v.district ? X.text(v.district) : null;
    case 'ward': return v.ward ? X.text(v.ward) : null;
    default: return X.text(v.text);
  }
}

export function fieldsContext(c: Contact): XVal {
  return X.lazyObject(() => {
    const props: Record<string, XVal> = {};
    const lines: string[] = [];
    for (const f of c.assets.fields) {
      const val = fieldValue(f.type, c.fields[f.key]);
      props[f.key] = val;
      if (val !== null) lines.push(`${f.name}: ${X.render(val)}`);
    }
    lines.sort();
    return { props, default: X.text(lines.join('\n')) };
  });
}

export function urnsContext(c: Contact, env: Environment): XVal {
  return X.lazyObject(() => {
    const props: Record<string, XVal> = {};
    for (const u of c.urns) if (!(u.scheme in props)) props[u.scheme] = urnValue(u, env);
    for (const s of VALID_SCHEMES) if (!(s in props)) props[s] = null;
    return { props };
  });
}

function ticketContext(t: Contact['tickets'][number], c: Contact): XVal {
  const user = t.assignee ? (t.assignee.uuid ? c.assets.user(t.assignee.uuid) : undefined) ?? t.assignee : null;
  return X.object({
    uuid: X.text(t.uuid),
    topic: t.topic ? X.object({ uuid: X.text(t.topic.uuid), name: X.text(t.topic.name) }, X.text(t.topic.name)) : null,
    assignee: user ? userContext(user) : null,
  });
}

export function userContext(u: { email?: string; name: string }): XVal {
  return X.object({
    email: X.text(u.email ?? ''),
    name: X.text(u.name),
    first_name: X.text(firstWord(u.name) ?? ''),
  }, X.text(u.name || u.email || ''));
}

export function lastTicketContext(c: Contact): XVal {
  const t = c.lastOpenTicket();
  return t ? ticketContext(t, c) : null;
}

export function contactContext(c: Contact, env: Environment): XVal {
  return X.lazyObject(() => {
    const firstName = c.name ? firstWord(c.name) : null;
    // everything costly is a thunk: templates usually read one or two properties
    return {
      default: lazy(() => X.text(formatContact(c, env)) as XValue),
      props: {
        uuid: X.text(c.uuid),
        ref: lazy(() => X.text(obfuscateID(c.id ?? 0, env)) as XValue),
        name: X.text(c.name),
        first_name: firstName !== null ? X.text(firstName) : null,
        language: X.text(c.language),
        timezone: c.timezone ? X.text(c.timezone) : null,
        status: X.text(c.status),
        created_on: lazy(() => X.datetime(c.createdOn) as XValue),
        last_seen_on: lazy(() => (c.lastSeenOn ? X.datetime(c.lastSeenOn) : null) as XValue),
        urns: lazy(() => X.array(c.urns.map((u) => urnValue(u, env))) as XValue),
        urn: lazy(() => {
          const preferred = c.urns.find((u) => channelForURN(u, c.assets));
          return (preferred ? urnValue(preferred, env) : null) as XValue;
        }),
        groups: lazy(() => X.array(c.groups.map((g) => X.object({ uuid: X.text(g.uuid), name: X.text(g.name) }))) as XValue),
        fields: fieldsContext(c),
        channel: lazy(() => {
          const channel = c.route()?.channel;
          return (channel
            ? X.object({ uuid: X.text(channel.uuid), name: X.text(channel.name), address: X.text(channel.address) }, X.text(channel.name))
            : null) as XValue;
        }),
        id: X.deprecated(X.text(String(c.id ?? 0)), '@contact.id is deprecated, use @contact.ref instead'),
        tickets: X.deprecated(
          () => X.array(c.tickets.filter((t) => t.status === 'open').map((t) => ticketContext(t, c))) as XValue,
          '@contact.tickets is deprecated, use @ticket instead',
        ),
      },
    };
  });
}
