import type { AttributeKey } from './ast.ts';

/** The contact attributes a query can name, with their value types. */
export const ATTRIBUTE_TYPES: Readonly<Record<AttributeKey, 'text' | 'number' | 'datetime'>> = {
  uuid: 'text',
  id: 'text', // deprecated in favour of ref
  ref: 'text',
  name: 'text',
  status: 'text',
  language: 'text',
  urn: 'text',
  group: 'text',
  flow: 'text',
  history: 'text',
  tickets: 'number',
  created_on: 'datetime',
  last_seen_on: 'datetime',
};

export function isAttribute(key: string): key is AttributeKey {
  return Object.prototype.hasOwnProperty.call(ATTRIBUTE_TYPES, key);
}

/** Attributes that every contact has, so asking whether they are set makes no sense. */
export const ALWAYS_SET: ReadonlySet<string> = new Set(['uuid', 'id', 'ref', 'status', 'created_on', 'tickets']);

/** URN schemes RapidPro registers; a bare property with one of these names means that scheme. */
export const URN_SCHEMES: ReadonlySet<string> = new Set([
  'bsuid', 'ext', 'facebook', 'fcm', 'freshchat', 'instagram', 'jiochat', 'line', 'mailto', 'rocketchat',
  'slack', 'telegram', 'tel', 'twitter', 'twitterid', 'viber', 'vk', 'webchat', 'wechat', 'whatsapp',
]);

export const CONTACT_STATUSES: ReadonlySet<string> = new Set(['active', 'blocked', 'stopped', 'archived']);
