import { check, collect } from '../definition/validate.ts';
import type { ActionDef } from '../definition/flow.ts';
import { str, strs } from './support/helpers.ts';
import { defineAction, ONLINE } from './support/types.ts';

interface SendEmail extends ActionDef { addresses: string[]; subject: string; body: string }

export default defineAction<SendEmail>({
  type: 'send_email',
  flowTypes: ONLINE,
  textFields: [{ name: 'addresses', evaluated: true }, { name: 'subject', evaluated: true, localized: true }, { name: 'body', evaluated: true, localized: true }],
  validate: (a) => collect(check.required('addresses', a.addresses), check.required('subject', a.subject), check.required('body', a.body)),
  async execute(run, _step, a, log) {
    const [subjectTpl] = run.text(a.uuid, 'subject', str(a.subject));
    const subject = run.evaluate(subjectTpl, log)[0].replace(/\s+/g, ' ').trim();
    if (!subject) {
      log('error', { text: 'Email subject evaluated to empty string, skipping' });
      return;
    }
    const [bodyTpl] = run.text(a.uuid, 'body', str(a.body));
    const body = run.evaluate(bodyTpl, log)[0];
    if (!body) {
      log('error', { text: 'Email body evaluated to empty string, skipping' });
      return;
    }
    const to: string[] = [];
    for (const address of strs(a.addresses)) {
      const value = run.evaluate(address, log)[0];
      if (!value) {
        log('error', { text: 'Email address evaluated to empty string, skipping' });
        continue;
      }
      to.push(value.replace(/^mailto:/, ''));
    }
    if (!to.length) return;
    const email = run.session.services.email;
    if (!email) {
      log('error', { text: 'Unable to send email: no email service configured' });
      return;
    }
    try {
      await email.send(to, subject, body);
      log('email_sent', { to, subject, body });
    } catch (e) {
      log('error', { text: `Unable to send email: ${(e as Error).message}` });
    }
  },
});
