import type { Run } from '../../run.ts';

/** The `msg` of an ivr_created event, addressed to the session's call. */
export function ivrMsg(run: Run, text: string, audioURL: string, locale: string): Record<string, unknown> {
  const call = run.session.call;
  const msg: Record<string, unknown> = {};
  if (call?.urn) msg.urn = call.urn;
  if (call?.channel) msg.channel = call.channel;
  msg.text = text;
  if (audioURL) msg.attachments = [`audio:${audioURL}`];
  if (locale) msg.locale = locale;
  return msg;
}
