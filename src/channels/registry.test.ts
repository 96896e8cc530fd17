import { test } from 'node:test';
import assert from 'node:assert/strict';
import { channelTypes, getChannelType, routeForReceive } from './index.ts';

test('the registry has the five types by code, case-insensitively', () => {
  assert.deepEqual(Object.keys(channelTypes).sort(), ['EX', 'NX', 'T', 'TG', 'WAC']);
  for (const [code, type] of Object.entries(channelTypes)) {
    assert.equal(type.code, code);
    assert.equal(getChannelType(code.toLowerCase()), type);
    assert.ok(type.schemes.length > 0);
    assert.ok(type.routes.length > 0);
  }
  assert.equal(getChannelType('XX'), undefined);
  assert.equal(getChannelType('toString'), undefined);
  assert.deepEqual(channelTypes.TG.schemes, ['telegram']);
  assert.deepEqual(channelTypes.WAC.schemes, ['whatsapp']);
});

test('routeForReceive follows courier URL conventions', () => {
  const uuid = '8eb23e93-5ecb-45ba-b726-3b064e0c56ab';
  assert.deepEqual(routeForReceive(`/c/ex/${uuid}/receive`), { typeCode: 'EX', channelUuid: uuid, action: 'receive' });
  assert.deepEqual(routeForReceive(`/c/ex/${uuid.toUpperCase()}/Delivered/`), { typeCode: 'EX', channelUuid: uuid, action: 'delivered' });
  assert.deepEqual(routeForReceive(`/c/t/${uuid}/status?uuid=x&action=callback`), { typeCode: 'T', channelUuid: uuid, action: 'status' });
  assert.deepEqual(routeForReceive('/c/wac/receive'), { typeCode: 'WAC', action: 'receive' });
  assert.equal(routeForReceive('/c/ex/not-a-uuid/receive'), null);
  assert.equal(routeForReceive(`/api/v2/${uuid}/receive`), null);
  assert.equal(routeForReceive('/c/'), null);
  assert.equal(routeForReceive(`/c/ex/${uuid}/receive/extra`), null);
});

test('channelFromRow maps a channels row', async () => {
  const { channelFromRow } = await import('./index.ts');
  const ch = channelFromRow({ uuid: 'u', channel_type: 'EX', name: 'n', address: '+1', country: '', config: '{"send_url":"http://x"}', schemes: ['tel'], roles: 'SR' });
  assert.deepEqual(ch, { uuid: 'u', type: 'EX', name: 'n', address: '+1', country: null, config: { send_url: 'http://x' }, schemes: ['tel'], roles: 'SR' });
});
