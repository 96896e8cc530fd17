/** URN schemes known to RapidPro: `@contact.<scheme>` and legacy `save` actions on them mean URNs, not fields. */
export const URN_SCHEMES: ReadonlySet<string> = new Set([
  'bsuid', 'discord', 'ext', 'facebook', 'fcm', 'freshchat', 'instagram', 'jiochat', 'line', 'mailto',
  'rocketchat', 'slack', 'telegram', 'tel', 'twitter', 'twitterid', 'viber', 'vk', 'webchat', 'wechat',
  'whatsapp',
]);
