import { check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import type { HTTPRequest, HTTPResult } from '../services.ts';
import { callStatus, logCallError, logWebhookCalled, saveWebhookResult, webhookCall } from './support/webhooks.ts';
import { defineAction, WEBHOOK_CATEGORIES, ONLINE } from './support/types.ts';

/** The JSON payload POSTed to resthook subscribers, built by an expression over the run context. */
export const RESTHOOK_PAYLOAD = `@(json(object(
  "contact", object("uuid", contact.uuid, "name", contact.name, "urn", contact.urn, "language", contact.language),
  "flow", run.flow,
  "path", run.path,
  "results", foreach_value(results, extract_object, "category", "category_localized", "created_on", "input", "name", "node_uuid", "value"),
  "run", object("uuid", run.uuid, "created_on", run.created_on),
  "input", if(input, object(
    "attachments", foreach(input.attachments, attachment_parts),
    "channel", input.channel,
    "created_on", input.created_on,
    "text", input.text,
    "type", input.type,
    "urn", if(input.urn, object(
      "display", default(format_urn(input.urn), ""),
      "path", urn_parts(input.urn).path,
      "scheme", urn_parts(input.urn).scheme
    ), null),
    "uuid", input.uuid
  ), null),
  "channel", default(input.channel, null)
)))`;

/** The call whose outcome becomes @webhook: last failure, else last success, else last 410. */
function pickResultCall(calls: [HTTPRequest, HTTPResult][]): [HTTPRequest, HTTPResult] | undefined {
  let success, gone, failure;
  for (const c of calls) {
    const status = callStatus(c[1], true);
    if (status === 'success') success = c;
    else if (status === 'subscriber_gone') gone = c;
    else failure = c;
  }
  return failure ?? success ?? gone;
}

export default defineAction<ActionDef & { resthook: string; result_name?: string }>({
  type: 'call_resthook',
  flowTypes: ONLINE,
  inspect: (a, add) => { if (a.result_name) add.result(a.result_name, WEBHOOK_CATEGORIES); },
  validate: (a) => collect(check.required('resthook', a.resthook), check.resultName('result_name', a.result_name)),
  async execute(run, step, a, log) {
    run.webhook = null;
    const resthook = run.session.assets.resthook(a.resthook);
    if (!resthook) return;
    const payload = run.evaluate(RESTHOOK_PAYLOAD, log, { truncate: false })[0];
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      throw new Error(`resthook payload evaluation produced invalid JSON: ${payload}`);
    }
    log('resthook_called', { resthook: a.resthook, payload: parsed });

    const service = run.session.services.webhook;
    const calls: [HTTPRequest, HTTPResult][] = [];
    for (const url of resthook.subscribers) {
      if (!service) break;
      const req: HTTPRequest = { method: 'POST', url, headers: [['Content-Type', 'application/json']], body: payload };
      const result = await service.call(req);
      logCallError(run, result, log);
      calls.push([req, result]);
      logWebhookCalled(log, req, result, callStatus(result, true), a.resthook);
    }
    const picked = pickResultCall(calls);
    const call = picked ? webhookCall(picked[0], picked[1]) : null;
    run.webhook = call;
    if (a.result_name && call && picked) {
      saveWebhookResult(run, step.node_uuid, a.result_name, call, callStatus(picked[1], true), log);
    }
  },
});
