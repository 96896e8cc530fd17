import type { ChannelType } from '../types.ts';
import { receiveT } from './receive.ts';
import { sendT } from './send.ts';

export const T: ChannelType = {
  code: 'T',
  name: 'Twilio',
  schemes: ['tel'],
  configKeys: [
    { key: 'account_sid', required: true },
    { key: 'auth_token', required: true, secret: true },
    { key: 'messaging_service_sid', required: false },
    { key: 'link_shortening', required: false },
    { key: 'ignore_dlrs', required: false },
    { key: 'max_length', required: false },
  ],
  routing: 'uuid',
  routes: [
    { action: 'receive', methods: ['POST'] },
    { action: 'status', methods: ['POST'] },
  ],
  send: sendT,
  receive: receiveT,
};
