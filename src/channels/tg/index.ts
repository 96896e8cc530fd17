import type { ChannelType } from '../types.ts';
import { receiveTG } from './receive.ts';
import { sendTG } from './send.ts';

export const TG: ChannelType = {
  code: 'TG',
  name: 'Telegram',
  schemes: ['telegram'],
  configKeys: [{ key: 'auth_token', required: true, secret: true }, { key: 'secret_token', required: false, secret: true }],
  routing: 'uuid',
  routes: [{ action: 'receive', methods: ['POST'] }],
  send: sendTG,
  receive: receiveTG,
};
