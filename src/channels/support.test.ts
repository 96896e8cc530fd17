import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incomingMsgUuid, newMsg } from './support.ts';
import { makeChannel } from './testing.ts';

test('incoming message UUIDs: the same callback twice gives the same UUID; anything else a different one', () => {
  const ch = makeChannel({ type: 'T' });
  const a = incomingMsgUuid(ch.uuid, 'tel:+250788383383', 'SM123');
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(incomingMsgUuid(ch.uuid.toUpperCase(), 'tel:+250788383383', 'SM123'), a);
  assert.equal(incomingMsgUuid(ch.uuid, 'telegram:42#nic', '7'), incomingMsgUuid(ch.uuid, 'telegram:42', '7'), 'the display part is not identity');
  assert.notEqual(incomingMsgUuid(ch.uuid, 'telegram:43', '7'), incomingMsgUuid(ch.uuid, 'telegram:42', '7'), 'Telegram message ids are per chat');
  assert.notEqual(incomingMsgUuid('00000000-0000-4000-8000-000000000000', 'tel:+250788383383', 'SM123'), a, 'per channel');
  assert.notEqual(incomingMsgUuid(ch.uuid, 'tel:+250788383383', null), incomingMsgUuid(ch.uuid, 'tel:+250788383383', null), 'no provider id: random');
  assert.equal(newMsg(ch, { urn: 'tel:+250788383383', text: 'hi', externalId: 'SM123', receivedOn: new Date() }).uuid, a);
});
