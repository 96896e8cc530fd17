// The contract between channel types and the rest of the system. A channel type is pure request /
// response logic: `send` turns one outgoing message into provider HTTP calls (through the shared
// HttpClient) and reports what happened; `receive` turns one provider callback into a response
// plus the events it carries. Nothing here touches the database — the runtime stores the events.
import type { HttpClient, HttpLog } from './http.ts';

/** The subset of a channels row the channel types need. */
export interface Channel {
  uuid: string;
  /** Channel type code: EX, TG, T, NX, WAC. */
  type: string;
  name?: string;
  address: string;
  /** Two-letter country, for phone channels. */
  country?: string | null;
  config: Record<string, unknown>;
  schemes: string[];
  roles?: string;
}

export interface QuickReply {
  type?: 'text' | 'location' | 'form' | 'url';
  text?: string;
  extra?: string;
}

export interface OutgoingMsg {
  uuid: string;
  id?: number | string;
  /** `scheme:path` (display part ignored). */
  urn: string;
  text: string;
  /** `content-type:url` strings. */
  attachments: string[];
  quickReplies: QuickReply[];
  contactName?: string | null;
  /** Session status for EX's `{{session_status}}` (W, C, ...), '' when not from a flow. */
  sessionStatus?: string;
  /** Provider id of the incoming message this replies to, when any. */
  responseToExternalId?: string | null;
}

/** Server-wide settings some types need (Meta app credentials), with channel config taking precedence. */
export interface ChannelSettings {
  facebookApplicationSecret?: string;
  facebookWebhookSecret?: string;
  whatsappAdminSystemUserToken?: string;
}

export interface SendContext {
  channel: Channel;
  msg: OutgoingMsg;
  http: HttpClient;
  /** Our public base URL (e.g. https://rp.example.com) used to build status callback URLs. */
  callbackBaseUrl: string;
  settings?: ChannelSettings;
}

export type SendStatus = 'wired' | 'sent' | 'errored' | 'failed';

/** A problem recorded on the channel log (courier's clog errors). */
export interface ChannelError {
  code: string;
  message: string;
  extCode?: string;
}

export interface SendResult {
  /** wired: the provider accepted it; errored: try again later; failed: permanent. */
  status: SendStatus;
  /** First provider message id (what status callbacks refer to). */
  externalId?: string;
  /** Every provider message id when the message went out in several parts. */
  externalIds: string[];
  /** Short machine code of the failure (courier's clog codes: connection_failed, response_status, ...). */
  errorCode?: string;
  /** Human readable failure reason. */
  errorReason?: string;
  retryable: boolean;
  /** The provider told us the contact opted out: the runtime should record a stop_contact event. */
  contactStopped?: boolean;
  /** A new URN the provider revealed for this contact (WhatsApp user ids). */
  newUrn?: string;
  errors: ChannelError[];
  logs: HttpLog[];
}

export interface IncomingRequest {
  method: string;
  /** Path without query string, e.g. /c/ex/<uuid>/receive. */
  path: string;
  /** The full URL as the provider called it (scheme://host/path?query); Twilio signs this. */
  url?: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  query: Record<string, string>;
  body: { raw: string; parsed?: unknown };
}

export interface ReceiveContext {
  /** Null only for address-routed types before the channel is known (e.g. WAC's verify handshake). */
  channel: Channel | null;
  /** Last path segment: receive, status, sent, delivered, failed, stopped... */
  action: string;
  request: IncomingRequest;
  /** For types that resolve media through the provider (TG getFile, WAC media ids). */
  http?: HttpClient;
  settings?: ChannelSettings;
  /** Clock (tests pin it); defaults to new Date(). */
  now?: () => Date;
}

export type IncomingStatus = 'wired' | 'sent' | 'delivered' | 'read' | 'failed' | 'errored';

export interface IncomingMsgEvent {
  kind: 'msg';
  /** Generated at receive time; the runtime should store the message under this UUID. */
  uuid: string;
  urn: string;
  text: string;
  attachments: string[];
  externalId: string | null;
  receivedOn: Date;
  contactName?: string;
  /** A further URN for the same contact (e.g. a WhatsApp user id), to append. */
  newUrn?: string;
}

export interface IncomingStatusEvent {
  kind: 'status';
  /** One of these identifies the message: provider id, or our message UUID. */
  externalId?: string;
  msgUuid?: string;
  status: IncomingStatus;
  errors?: ChannelError[];
}

export type ChannelEventType = 'new_conversation' | 'stop_contact' | 'referral' | 'welcome_message' | 'optin' | 'optout';

export interface IncomingChannelEvent {
  kind: 'channel_event';
  eventType: ChannelEventType;
  urn: string;
  occurredOn: Date;
  contactName?: string;
  extra?: Record<string, string>;
}

export type IncomingEvent = IncomingMsgEvent | IncomingStatusEvent | IncomingChannelEvent;

export interface ReceiveResponse {
  status: number;
  body: string;
  contentType: string;
}

export interface ReceiveResult {
  response: ReceiveResponse;
  events: IncomingEvent[];
  /** HTTP calls made while receiving (media resolution). */
  logs: HttpLog[];
  errors: ChannelError[];
}

export interface ChannelType {
  code: string;
  name: string;
  /** URN schemes it serves (first one is used for incoming URNs). */
  schemes: string[];
  /** Config keys it reads, required ones first. */
  configKeys: { key: string; required: boolean; secret?: boolean }[];
  /** 'uuid': /c/<code>/<uuid>/<action>; 'address': /c/<code>/<action>, channel found from the payload. */
  routing: 'uuid' | 'address';
  /** Actions (last path segment) and methods it accepts. */
  routes: { action: string; methods: string[] }[];
  /** For address-routed types: the channel address a request is for (null when unknown). */
  channelAddress?(request: IncomingRequest): string | null;
  send(ctx: SendContext): Promise<SendResult>;
  receive(ctx: ReceiveContext): Promise<ReceiveResult>;
}

export interface ReceiveRoute {
  typeCode: string;
  channelUuid?: string;
  action: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Maps a courier-style callback path to its type, channel and action:
 * `/c/ex/<uuid>/receive` → {EX, uuid, receive}; `/c/wac/receive` → {WAC, receive}.
 * Null when the path is not a channel callback path.
 */
export function routeForReceive(path: string): ReceiveRoute | null {
  const clean = path.split(/[?#]/)[0].replace(/\/+$/, '');
  const parts = clean.split('/');
  if (parts[0] !== '' || parts[1] !== 'c') return null;
  const code = parts[2];
  if (!code || !/^[a-z0-9]+$/i.test(code)) return null;
  const typeCode = code.toUpperCase();
  if (parts.length === 5 && UUID_RE.test(parts[3]) && /^[a-z_]+$/i.test(parts[4])) {
    return { typeCode, channelUuid: parts[3].toLowerCase(), action: parts[4].toLowerCase() };
  }
  if (parts.length === 4 && /^[a-z_]+$/i.test(parts[3])) return { typeCode, action: parts[3].toLowerCase() };
  return null;
}

/** A channels table row (migration 0001 columns) as the Channel the types work with. */
export function channelFromRow(row: {
  uuid: string; channel_type: string; name?: string; address: string; country?: string | null;
  config: unknown; schemes: string[]; roles?: string;
}): Channel {
  const config = typeof row.config === 'string' ? (JSON.parse(row.config) as Record<string, unknown>) : ((row.config ?? {}) as Record<string, unknown>);
  return {
    uuid: row.uuid, type: row.channel_type, name: row.name, address: row.address, country: row.country || null,
    config, schemes: row.schemes, roles: row.roles,
  };
}
