import { errorFields, ErrorCodes } from '../core/events.ts';
import type { ActionDef } from '../definition/flow.ts';
import { timezoneModifier } from '../modifiers/timezone.ts';
import { modifyContact, str } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

function isKnownZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export default defineAction<ActionDef & { timezone: string }>({
  type: 'set_contact_timezone',
  flowTypes: UNIVERSAL,
  textFields: [{ name: 'timezone', evaluated: true }],
  execute(run, _step, a, log) {
    const [evaluated, ok] = run.evaluate(str(a.timezone), log);
    if (!ok) return;
    const timezone = evaluated.trim();
    if (timezone && !isKnownZone(timezone)) {
      log('error', errorFields(`Unrecognized timezone: '${timezone}'`, ErrorCodes.timezoneInvalid, { timezone }));
      return;
    }
    modifyContact(run, timezoneModifier(timezone), log);
  },
});
