import type { ChannelType } from '../types.ts';
import { receiveNX } from './receive.ts';
import { sendNX } from './send.ts';

export const NX: ChannelType = {
  code: 'NX',
  name: 'Vonage',
  schemes: ['tel'],
  configKeys: [
    { key: 'nexmo_api_key', required: true },
    { key: 'nexmo_api_secret', required: true, secret: true },
    { key: 'nexmo_app_id', required: false },
    { key: 'nexmo_app_private_key', required: false, secret: true },
    { key: 'max_length', required: false },
  ],
  routing: 'uuid',
  routes: [
    { action: 'receive', methods: ['GET', 'POST'] },
    { action: 'status', methods: ['GET', 'POST'] },
  ],
  send: sendNX,
  receive: receiveNX,
};
