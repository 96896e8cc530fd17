import type { SessionAssets } from './assets.ts';
import { normalizeTime } from './core/time.ts';
import { check, collect } from './definition/validate.ts';
import { inputFromMsgEvent, type MsgInput } from './input.ts';

export const RESUME_TYPES = ['msg', 'wait_timeout', 'wait_expiration', 'dial'];

export type Resume = Record<string, any> & { type: string; resumed_on: string };

export function readResume(json: unknown): Resume {
  const r = { ...(json as Record<string, any>) };
  if (!RESUME_TYPES.includes(r.type)) throw new Error(`unknown type: '${r.type}'`);
  const errors = collect(r.type === 'msg' || r.type === 'dial' ? check.required('event', r.event) : null);
  if (errors.length) throw new Error(errors.join(', '));
  if (typeof r.resumed_on === 'string') r.resumed_on = normalizeTime(r.resumed_on) ?? r.resumed_on;
  return r as Resume;
}

export function resumeInput(resume: Resume, assets: SessionAssets): MsgInput | null {
  return resume.type === 'msg' && resume.event ? inputFromMsgEvent(resume.event, assets) : null;
}
