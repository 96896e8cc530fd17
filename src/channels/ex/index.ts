import type { ChannelType } from '../types.ts';
import { receiveEX } from './receive.ts';
import { sendEX } from './send.ts';

export const EX: ChannelType = {
  code: 'EX',
  name: 'External API',
  schemes: ['tel'],
  configKeys: [
    { key: 'send_url', required: true },
    { key: 'method', required: false },
    { key: 'body', required: false },
    { key: 'content_type', required: false },
    { key: 'max_length', required: false },
    { key: 'encoding', required: false },
    { key: 'mt_response_check', required: false },
    { key: 'send_authorization', required: false, secret: true },
    { key: 'headers', required: false, secret: true },
    { key: 'use_national', required: false },
    { key: 'mo_from_field', required: false },
    { key: 'mo_text_field', required: false },
    { key: 'mo_date_field', required: false },
    { key: 'from_xpath', required: false },
    { key: 'text_xpath', required: false },
    { key: 'mo_response', required: false },
    { key: 'mo_response_content_type', required: false },
  ],
  routing: 'uuid',
  routes: [
    { action: 'receive', methods: ['GET', 'POST'] },
    { action: 'sent', methods: ['GET', 'POST'] },
    { action: 'delivered', methods: ['GET', 'POST'] },
    { action: 'failed', methods: ['GET', 'POST'] },
    { action: 'stopped', methods: ['GET', 'POST'] },
  ],
  send: sendEX,
  receive: receiveEX,
};
