import type { ChannelType } from '../types.ts';
import { receiveWAC, wacChannelAddress } from './receive.ts';
import { sendWAC } from './send.ts';

export const WAC: ChannelType = {
  code: 'WAC',
  name: 'WhatsApp Cloud',
  schemes: ['whatsapp'],
  configKeys: [
    { key: 'auth_token', required: false, secret: true },
    { key: 'app_secret', required: false, secret: true },
  ],
  routing: 'address',
  routes: [{ action: 'receive', methods: ['GET', 'POST'] }],
  channelAddress: wacChannelAddress,
  send: sendWAC,
  receive: receiveWAC,
};
