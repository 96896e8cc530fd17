import type { EventLogger } from '../core/events.ts';
import { parseNumber } from '../../urns/index.ts';
import type { Wait } from '../definition/flow.ts';
import type { Resume } from '../resumes.ts';
import type { Run } from '../run.ts';

/** Whether a wait can be resumed by this resume type. */
export function waitAccepts(wait: Wait, resume: Resume): boolean {
  if (wait.type === 'dial') return resume.type === 'dial';
  if (resume.type === 'msg' || resume.type === 'wait_expiration') return true;
  return resume.type === 'wait_timeout' && !!wait.timeout;
}

/** Starts waiting (logging the wait event); false means the wait is skipped and routing goes on. */
export function beginWait(run: Run, wait: Wait, log: EventLogger): boolean {
  return wait.type === 'msg' ? beginMsgWait(run, wait, log) : beginDialWait(run, wait, log);
}

function beginMsgWait(run: Run, wait: Extract<Wait, { type: 'msg' }>, log: EventLogger): boolean {
  const session = run.session;
  // a keyword-triggered flow routes its first wait on the triggering message itself
  if (session.trigger.type === 'msg' && session.runs.length === 1 && run.path.length === 1) return false;
  const expiresOn = session.nowPlus(session.expireAfterMinutes(run.flow!) * 60);
  const fields: Record<string, unknown> = {};
  if (wait.timeout) fields.timeout_seconds = wait.timeout.seconds;
  fields.expires_on = expiresOn;
  if (wait.hint) fields.hint = wait.hint;
  log('msg_wait', fields);
  return true;
}

function beginDialWait(run: Run, wait: Extract<Wait, { type: 'dial' }>, log: EventLogger): boolean {
  const [phone] = run.evaluate(wait.phone, log);
  const number = parseNumber(phone, run.session.mergedEnv().defaultCountry ?? '');
  if (!number) {
    log('error', { text: 'not a possible number' });
    return false;
  }
  const dialLimit = wait.dial_limit_seconds ?? 60;
  const callLimit = wait.call_limit_seconds ?? 7200;
  const expiresOn = run.session.nowPlus(dialLimit + callLimit + 30);
  log('dial_wait', {
    urn: `tel:${number}`, dial_limit_seconds: dialLimit, call_limit_seconds: callLimit, expires_on: expiresOn,
  });
  return true;
}
