// Garbage in: no channel type may throw or answer 5xx for any malformed callback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelTypes } from './index.ts';
import { createHmac } from 'node:crypto';
import { makeChannel, makeRequest } from './testing.ts';
import { twilioSignature } from './t/receive.ts';

const bodies: { body?: string; ct?: string; query?: Record<string, string> }[] = [
  { body: '' },
  { body: 'null', ct: 'application/json' },
  { body: '[]', ct: 'application/json' },
  { body: '"str"', ct: 'application/json' },
  { body: '{"update_id": "x", "message": []}', ct: 'application/json' },
  { body: '{"update_id": 1, "message": {"message_id": 5, "from": null, "photo": [null]}}', ct: 'application/json' },
  { body: '{"update_id": 1, "message": {"message_id": 5, "from": {"id": 7}, "photo": [null, 5]}}', ct: 'application/json' },
  { body: '{"update_id": 1, "message": {"message_id": 5, "from": {"id": 7}, "location": {"latitude": "x"}, "venue": null}}', ct: 'application/json' },
  { body: '{"update_id": 1, "message": {"message_id": 5, "from": {"id": 7}, "contact": {}, "text": 5}}', ct: 'application/json' },
  { body: '{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"messages":[null,{}],"statuses":[{}]}}]}]}', ct: 'application/json' },
  { body: '{"object":"whatsapp_business_account","entry":[null,{"changes":[null,{"value":null}]}]}', ct: 'application/json' },
  { body: '{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"contacts":[null],"messages":[{"from":"123","id":"x","timestamp":"1","type":"image","image":null},{"from":"123","id":"y","timestamp":"1","type":"location","location":{"latitude":"a"}}],"statuses":[null,{"status":"sent"}],"errors":[null]}}]}]}', ct: 'application/json' },
  { body: '{"object":"whatsapp_business_account","entry":"nope"}', ct: 'application/json' },
  { body: '{not json', ct: 'application/json' },
  { body: '%%%=&&&==', ct: 'application/x-www-form-urlencoded' },
  { body: 'from=&text=&id=&uuid=&MessageSid=&msisdn=&to=', ct: 'application/x-www-form-urlencoded' },
  { body: 'from=%E0%A4%A&text=x', ct: 'application/x-www-form-urlencoded' },
  { body: 'from=abc&text=x&date=2020-13-45T99:99:99Z', ct: 'application/x-www-form-urlencoded' },
  { body: '--x\r\nbroken', ct: 'multipart/form-data; boundary=x' },
  { body: '<a><b>', ct: 'text/xml' },
  { query: { from: '', text: '', 'hub.mode': 'subscribe' } },
];

test('malformed callbacks never throw and never answer 5xx', async () => {
  let calls = 0;
  for (const type of Object.values(channelTypes)) {
    const channel = makeChannel({
      type: type.code, schemes: type.schemes, address: '1234567890',
      config: { auth_token: 'tok', account_sid: 'AC', from_xpath: '', app_secret: 's' },
    });
    for (const { action, methods } of type.routes) {
      for (const method of methods) {
        for (const b of bodies) {
          const path = `/c/${type.code.toLowerCase()}/${channel.uuid}/${action}`;
          const headers: Record<string, string> = b.ct ? { 'content-type': b.ct } : {};
          // sign them, so that signature checks do not hide the parsing code
          const qs = new URLSearchParams(b.query ?? {}).toString();
          headers['x-twilio-signature'] = twilioSignature(`https://rp.example.com${path}${qs ? `?${qs}` : ''}`, new URLSearchParams(b.body ?? ''), 'tok');
          headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', 's').update(b.body ?? '').digest('hex')}`;
          const request = makeRequest({ method, path, body: b.body, query: b.query, headers });
          for (const ch of [channel, null]) {
            if (ch === null && type.routing === 'uuid') continue;
            const r = await type.receive({ channel: ch, action, request, settings: {} });
            calls++;
            assert.ok(r.response.status < 500, `${type.code} ${method} ${action} ${JSON.stringify(b)} → ${r.response.status}`);
            assert.equal(typeof r.response.body, 'string');
          }
        }
      }
    }
  }
  assert.ok(calls > 200);
});

test('odd outgoing messages never hit an internal error', async (t) => {
  const { startFakeProvider } = await import('./testing.ts');
  const { HttpClient } = await import('./http.ts');
  const fake = await startFakeProvider((req) => ({
    body: req.path.includes('/bot') ? { ok: true, result: { message_id: 1 } }
      : req.path.includes('Messages.json') ? { sid: 'SM1' }
      : req.path.includes('/sms/json') ? { messages: [{ status: '0', 'message-id': '1' }] }
      : req.path.includes('/messages') ? { messages: [{ id: 'wamid.1' }] }
      : 'ok',
  }));
  t.after(() => fake.close());
  const http = new HttpClient({ overrides: { 'https://api.telegram.org': fake.url, 'https://api.twilio.com': fake.url, 'https://rest.nexmo.com': fake.url, 'https://graph.facebook.com': fake.url } });
  const msgs = [
    { text: '', attachments: [] },
    { text: '', attachments: ['https://bare.example/x.jpg'] },
    { text: 'x', attachments: ['image/jpeg:'] },
    { text: 'x'.repeat(5000), attachments: ['application/octet-stream:https://a.b/c', 'geo:1,2'] },
    { text: '☺'.repeat(700), attachments: [], quickReplies: [{ type: 'form' as const }, { type: 'url' as const, extra: '::' }, { text: '' }, { type: 'location' as const }] },
  ];
  for (const type of Object.values(channelTypes)) {
    const channel = makeChannel({ type: type.code, schemes: type.schemes, address: '1234567890', config: { send_url: `${fake.url}/send`, auth_token: 'tok', account_sid: 'AC', nexmo_api_key: 'k', nexmo_api_secret: 's' } });
    for (const m of msgs) {
      const r = await type.send({
        channel, http, callbackBaseUrl: 'https://rp.example.com',
        msg: { uuid: '0191e180-7d60-7000-aded-7d8b151cbd5b', urn: `${type.schemes[0]}:250788383383`, quickReplies: [], ...m },
      });
      assert.notEqual(r.errorCode, 'internal_error', `${type.code} ${JSON.stringify(m).slice(0, 80)}: ${r.errorReason}`);
    }
  }
});
