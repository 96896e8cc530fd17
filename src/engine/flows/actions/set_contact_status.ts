import { CONTACT_STATUSES, type ContactStatus } from '../core/contact.ts';
import { check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { statusModifier } from '../modifiers/status.ts';
import { modifyContact } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

export default defineAction<ActionDef & { status: ContactStatus }>({
  type: 'set_contact_status',
  flowTypes: UNIVERSAL,
  validate: (a) => collect(check.oneOf('status', a.status, CONTACT_STATUSES, 'contact status')),
  execute(run, _step, a, log) {
    modifyContact(run, statusModifier(a.status), log);
  },
});
