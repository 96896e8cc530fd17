/** What we know about one URN scheme. */
export interface URNScheme {
  /** the scheme itself, e.g. `tel` */
  prefix: string;
  /** RapidPro's label for it in forms and exports */
  label: string;
  /**
   * `current`: accepted everywhere; `legacy`: dropped upstream (discord, Nov 2025) but still
   * accepted here so data and clients of the older generation keep working; `internal`: only
   * written by RapidPro itself (a deleted contact's freed URN), never accepted from outside.
   */
  status: 'current' | 'legacy' | 'internal';
  /** registered in goflow's URN package, so it has a key in the `@urns` expression context */
  inEngine: boolean;
}

const table: URNScheme[] = [
  { prefix: 'tel', label: 'Phone Number', status: 'current', inEngine: true },
  { prefix: 'mailto', label: 'Email Address', status: 'current', inEngine: true },
  { prefix: 'bsuid', label: 'WhatsApp BSUID', status: 'current', inEngine: true },
  { prefix: 'ext', label: 'External Identifier', status: 'current', inEngine: true },
  { prefix: 'facebook', label: 'Facebook Identifier', status: 'current', inEngine: true },
  { prefix: 'fcm', label: 'Firebase Cloud Messaging Identifier', status: 'current', inEngine: true },
  { prefix: 'freshchat', label: 'Freshchat Identifier', status: 'current', inEngine: true },
  { prefix: 'instagram', label: 'Instagram Identifier', status: 'current', inEngine: true },
  { prefix: 'jiochat', label: 'JioChat Identifier', status: 'current', inEngine: true },
  { prefix: 'line', label: 'LINE Identifier', status: 'current', inEngine: true },
  { prefix: 'rocketchat', label: 'RocketChat Identifier', status: 'current', inEngine: true },
  { prefix: 'slack', label: 'Slack Identifier', status: 'current', inEngine: true },
  { prefix: 'telegram', label: 'Telegram Identifier', status: 'current', inEngine: true },
  { prefix: 'twitterid', label: 'Twitter ID', status: 'current', inEngine: true },
  { prefix: 'twitter', label: 'Twitter Handle', status: 'current', inEngine: true },
  { prefix: 'viber', label: 'Viber Identifier', status: 'current', inEngine: true },
  { prefix: 'vk', label: 'VK Identifier', status: 'current', inEngine: true },
  { prefix: 'wechat', label: 'WeChat Identifier', status: 'current', inEngine: true },
  { prefix: 'webchat', label: 'Webchat Identifier', status: 'current', inEngine: true },
  { prefix: 'whatsapp', label: 'WhatsApp Identifier', status: 'current', inEngine: true },
  { prefix: 'discord', label: 'Discord Identifier', status: 'legacy', inEngine: false },
  { prefix: 'deleted', label: 'Deleted', status: 'internal', inEngine: false },
];

/** Every scheme RapidPro has known, in RapidPro's order, with its status (see `URNScheme`). */
export const SCHEME_LIST: readonly URNScheme[] = table;

/** Every scheme name we recognise, including legacy `discord` and internal `deleted`. */
export const SCHEMES: readonly string[] = table.map((s) => s.prefix);

/** The schemes a URN from outside (API body, import, flow) may use: current and legacy. */
export const WRITABLE_SCHEMES: readonly string[] = table.filter((s) => s.status !== 'internal').map((s) => s.prefix);

/** The schemes of goflow's `@urns` context, in goflow's registration order. */
export const ENGINE_SCHEMES: readonly string[] = [
  'mailto', 'ext', 'facebook', 'fcm', 'freshchat', 'instagram', 'jiochat', 'line', 'tel', 'rocketchat',
  'slack', 'telegram', 'twitter', 'twitterid', 'viber', 'vk', 'webchat', 'wechat', 'whatsapp', 'bsuid',
];

/** The scheme RapidPro moves a deleted contact's URNs to, which frees their identity. */
export const DELETED_SCHEME = 'deleted';

const byPrefix = new Map(table.map((s) => [s.prefix, s]));

export function schemeInfo(prefix: string): URNScheme | undefined {
  return byPrefix.get(prefix);
}

/** True for every scheme we recognise, `deleted` included (it can be read back from storage). */
export function isKnownScheme(prefix: string): boolean {
  return byPrefix.has(prefix);
}
