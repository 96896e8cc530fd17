import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Endpoint } from './endpoint.ts';

// Docs mode (api-v2.md §1.1): an endpoint's URL without the `.json` suffix documents the endpoint
// instead of running it. No query is made; anonymous requests are welcome; only GET is allowed.

/** One line per endpoint for its docs page and the index (our words, RapidPro's meaning). */
const SUMMARIES: Record<string, string> = {
  broadcasts: 'List broadcasts, or send a new one to URNs, contacts and groups.',
  channel_events: 'List events on channels: calls, stop requests, new conversations, referrals and opt-ins.',
  channels: 'List the channels of the workspace.',
  contact_actions: 'Apply an action to up to 100 contacts at once: add to or remove from a group, block, unblock, interrupt, archive messages, delete.',
  contacts: 'List contacts, create a contact, update one by UUID or URN, or delete one.',
  definitions: 'Export flows and campaigns with their dependencies, in the import format.',
  fields: 'List contact fields, create one or update one by key.',
  flow_starts: 'List flow starts, or start contacts, groups and URNs in a flow.',
  flows: 'List flows with their run counts and results, or save a flow definition.',
  globals: 'List globals, create one or update one by key.',
  groups: 'List contact groups, create one, rename one or delete one.',
  labels: 'List message labels, create one, rename one or delete one.',
  media: 'Upload a media file to use as a message attachment.',
  message_actions: 'Apply an action to up to 100 messages at once: label, unlabel, archive, restore, delete.',
  messages: 'List messages by folder, contact, label or broadcast, or send a new message.',
  org: 'The workspace this token belongs to (deprecated alias of workspace).',
  runs: 'List flow runs with their values and path.',
  statistics: 'Message and contact statistics of the workspace.',
  topics: 'List ticket topics, create one or rename one.',
  users: 'List the users of the workspace and their roles.',
  workspace: 'The workspace this token belongs to.',
};

/** What a docs-mode GET answers when it negotiates JSON: lists are empty, a few are special. */
const JSON_BODIES: Record<string, unknown> = { statistics: { results: [] }, definitions: {} };
/** Endpoints whose GET is not a paginated list. */
const NOT_LISTS = new Set(['workspace', 'org', 'definitions', 'statistics']);

function docsJson(name: string, endpoint: Endpoint): unknown {
  if (name in JSON_BODIES) return JSON_BODIES[name];
  return endpoint.handlers.GET && !NOT_LISTS.has(name) ? [] : {};
}

/** Whether the client prefers JSON to HTML (DRF picks the first renderer the Accept header allows). */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const t of types) {
    if (t.type === 'text/html' || t.type === 'text/*' || t.type === '*/*') return false;
    if (t.type === 'application/json' || t.type === 'application/*') return true;
  }
  return false;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · API v2</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2em}li{margin:.3em 0}</style>
</head><body>${body}</body></html>`;
}

export function endpointDocs(name: string, endpoint: Endpoint, base: string): string {
  const methods = Object.keys(endpoint.handlers);
  const url = `${base}/${name}.json`;
  return page(
    name,
    `<p><a href="${escape(base)}/">API v2</a></p>
<h1>${escape(name)}</h1>
<p>${escape(SUMMARIES[name] ?? '')}</p>
<ul>${methods.map((m) => `<li><code>${m} ${escape(url)}</code></li>`).join('')}</ul>
<p>Authenticate with <code>Authorization: Token &lt;your token&gt;</code>. Results come 250 to a page;
follow <code>next</code> for the rest.</p>`,
  );
}

export function rootDocs(listed: Endpoint[], base: string): string {
  const items = [...listed]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => `<li><a href="${escape(base)}/${e.name}"><code>${e.name}</code></a> — ${escape(SUMMARIES[e.name] ?? '')}</li>`)
    .join('\n');
  return page(
    'API v2',
    `<h1>API v2</h1>
<p>RapidPro's REST API. Every endpoint answers at <code>${escape(base)}/&lt;endpoint&gt;.json</code>;
without the <code>.json</code> suffix it shows its documentation.</p>
<ul>
${items}
</ul>`,
  );
}

/** Answers a docs-mode request for an endpoint. */
export function sendEndpointDocs(req: FastifyRequest, reply: FastifyReply, name: string, endpoint: Endpoint, base: string): FastifyReply {
  reply.header('Allow', 'GET, HEAD, OPTIONS').header('Vary', 'Accept');
  const method = req.method.toUpperCase();
  const allowed = method === 'GET' || method === 'HEAD';
  reply.code(allowed ? 200 : 403);
  if (wantsJson(req.headers.accept)) {
    const body = allowed ? docsJson(name, endpoint) : { detail: 'You do not have permission to perform this action.' };
    return reply.type('application/json').send(JSON.stringify(body));
  }
  return reply.type('text/html; charset=utf-8').send(endpointDocs(name, endpoint, base));
}
