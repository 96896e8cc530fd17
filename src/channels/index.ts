// Registry of channel types by code. See types.ts for the contract and README.md for the URLs.
import { EX } from './ex/index.ts';
import { NX } from './nx/index.ts';
import { T } from './t/index.ts';
import { TG } from './tg/index.ts';
import type { ChannelType } from './types.ts';
import { WAC } from './wac/index.ts';

export const channelTypes: Readonly<Record<string, ChannelType>> = Object.freeze({ EX, TG, T, NX, WAC });

export function getChannelType(code: string): ChannelType | undefined {
  return Object.prototype.hasOwnProperty.call(channelTypes, code.toUpperCase()) ? channelTypes[code.toUpperCase()] : undefined;
}

export { HttpClient } from './http.ts';
export type { HttpConfig, HttpLog } from './http.ts';
export { channelFromRow, routeForReceive } from './types.ts';
export type * from './types.ts';
export { channelForURN, selectRoute, canSend } from './selection.ts';
export type { ContactURN, Route } from './selection.ts';
export { ChannelRateLimiter } from './ratelimit.ts';
export { sendLogRecord, receiveLogRecord } from './logs.ts';
export type { ChannelLogRecord, ChannelLogType } from './logs.ts';
export { STATUS_CODES } from './support.ts';
