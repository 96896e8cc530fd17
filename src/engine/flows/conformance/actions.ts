import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type SetResult } from '../../../conformance/harness.ts';
import { readAssets } from '../assets.ts';
import { Contact } from '../core/contact.ts';
import { formatTime } from '../core/time.ts';
import { reevaluateSmartGroups } from '../smart-groups.ts';
import { extractLocalizables, extractTemplates } from '../definition/text.ts';
import { inspectFlow } from '../definition/inspect.ts';
import { canonical, collectKnown, firstDifference, Normalizer } from './normalize.ts';
import { testEngine, testEnvironment } from './setup.ts';

/** The contact upstream's action tests run with unless a case gives its own. */
const DEFAULT_CONTACT = {
  uuid: '5d76d86b-3bb9-4d5a-b822-c9d86f5d8e4f', name: 'Ryan Lewis', status: 'active', language: 'eng',
  timezone: 'America/Guayaquil',
  urns: ['tel:+12065551212?channel=57f1078f-88aa-46f4-a59a-948a5739c03d', 'twitterid:54784326227#nyaruka'],
  groups: [
    { uuid: 'b7cf0d83-f1c9-411c-96fd-c511a4cfa86d', name: 'Testers' },
    { uuid: '0ec97956-c451-48a0-a180-1ce766623e31', name: 'Males' },
  ],
  fields: { gender: { text: 'Male' } },
  created_on: '2018-06-20T11:40:30.123456789-00:00',
};

const MESSAGING_FLOW = 'bead76f5-dac4-4c9d-996c-c62b326e8c0a';
const VOICE_FLOW = '7a84463d-d209-4d3e-a0ff-79f977cd7bd0';
const TICKET_TOPIC = '0d9a2c56-6fc2-4f27-93c5-a6322e26b740';

export interface ActionCase {
  description: string; action: Record<string, unknown>; localization?: unknown; in_flow_type?: string;
  http_mocks?: Record<string, never[]>; smtp_error?: string; contact?: unknown; has_ticket?: boolean;
  no_input?: boolean; redact_urns?: boolean; as_batch?: boolean;
  read_error?: string; events?: unknown[]; webhook?: unknown; contact_after?: unknown; locals_after?: unknown;
  templates?: string[]; localizables?: string[]; inspection?: unknown;
}

/** Runs one action case the way upstream's action tests do; returns null on match, else a reason. */
export async function checkActionCase(assetsJSON: any, tc: ActionCase): Promise<string | null> {
  const voice = tc.in_flow_type === 'voice';
  const flowIndex = voice ? 1 : 0;
  const flowUUID = voice ? VOICE_FLOW : MESSAGING_FLOW;
  const json = structuredClone(assetsJSON);
  json.flows[flowIndex].nodes[0].actions = [tc.action];
  if (tc.localization) json.flows[flowIndex].localization = tc.localization;
  const assets = readAssets(json);
  const flow = assets.flow(flowUUID);
  if (tc.read_error !== undefined) {
    if (!(flow instanceof Error)) return `expected read error "${tc.read_error}", flow read fine`;
    return flow.message.endsWith(tc.read_error) ? null : `read error: expected "${tc.read_error}" got "${flow.message}"`;
  }
  if (flow instanceof Error) return `unexpected read error: ${flow.message}`;

  const env = testEnvironment(null, {
    allowedLanguages: ['eng', 'spa'], defaultCountry: 'RW', ...(tc.redact_urns ? { redactionPolicy: 'urns' as const } : {}),
  });
  const { engine, webhook } = testEngine(env, tc.http_mocks ?? {}, { smtpError: tc.smtp_error });
  const contact = Contact.read(tc.contact ?? DEFAULT_CONTACT, assets);
  if (tc.has_ticket) {
    const topic = assets.topic(TICKET_TOPIC);
    contact.tickets.push({ uuid: '7f44b065-ec28-4d7a-bbb4-0bda3b75b19d', status: 'open', topic: topic ? { uuid: topic.uuid, name: topic.name } : null });
    reevaluateSmartGroups(contact, env, engine.services);
  }
  if (tc.localization) contact.language = 'spa';

  let trigger: Record<string, unknown>;
  let call = null;
  const now = () => formatTime(env.now(), env.nowNanos?.() ?? 0);
  if (tc.no_input || tc.as_batch) {
    trigger = { type: 'manual', flow: flow.ref, batch: true, triggered_on: now() };
    if (voice) {
      const ch = assets.channel('57f1078f-88aa-46f4-a59a-948a5739c03d');
      call = { uuid: '01978a2f-ad9a-7f2e-ad44-6e7547078cec', channel: { uuid: ch?.uuid ?? '', name: ch?.name ?? '' }, urn: 'tel:+12065551212' };
    }
  } else {
    const event = {
      uuid: engine.options.newUUID!(), type: 'msg_received', created_on: now(),
      msg: { urn: 'tel:+12065551212', text: 'Hi everybody', attachments: ['image/jpeg:http://http://s3.amazon.com/bucket/test.jpg', 'audio/mp3:http://s3.amazon.com/bucket/test.mp3'] },
    };
    trigger = { type: 'msg', flow: flow.ref, event, triggered_on: now() };
  }

  let result;
  try {
    result = await engine.start(assets, env, contact, trigger, call);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
  if (webhook.unused().length) return `unused HTTP mocks: ${webhook.unused().join(', ')}`;

  const { events: expectedEvents, contact_after, locals_after, webhook: expectedWebhook, description: _d, templates, localizables, inspection, ...inputs } = tc;
  const known = collectKnown(inputs, assetsJSON, DEFAULT_CONTACT);
  const ne = new Normalizer(known);
  const na = new Normalizer(known);
  const run = result.session.runs[0];
  const compare = (part: string, expected: unknown, actual: unknown) => {
    const e = ne.normalize(expected);
    const a = na.normalize(JSON.parse(JSON.stringify(actual ?? null)));
    return canonical(e) === canonical(a) ? null : `${part} ${firstDifference(e, a)}`;
  };
  return compare('events', expectedEvents ?? [], result.events.slice(1, -1))
    ?? (expectedWebhook !== undefined ? compare('webhook', expectedWebhook, run.webhookJSON()) : null)
    ?? (contact_after !== undefined ? compare('contact', contact_after, result.contact.toJSON()) : null)
    ?? compare('locals', locals_after ?? {}, run.locals)
    ?? compare('templates', templates ?? [], extractTemplates(flow))
    ?? compare('localizables', localizables ?? [], extractLocalizables(flow))
    ?? (inspection !== undefined ? compare('inspection', inspection, inspectFlow(flow, assets)) : null);
}

export async function runActionsSet(root: string): Promise<SetResult> {
  const dir = path.join(root, 'goflow', 'flows', 'actions');
  const result = emptyResult('actions');
  if (!existsSync(dir)) return result;
  const assetsJSON = JSON.parse(readFileSync(path.join(dir, '_assets.json'), 'utf8'));
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json') && !f.startsWith('_')).sort()) {
    const cases = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ActionCase[];
    for (const [i, tc] of cases.entries()) {
      const reason = await checkActionCase(assetsJSON, tc);
      if (reason === null) result.passed++;
      else {
        result.failed++;
        result.failures.push({ name: `${file}[${i}] ${tc.description}`, reason });
      }
    }
  }
  return result;
}
