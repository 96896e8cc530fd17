import { Decimal } from 'decimal.js';
import type { ActionDef } from '../definition/flow.ts';
import { defineAction, ONLINE } from './support/types.ts';

const MAX_AMOUNT = new Decimal('1e15');

function validateAmounts(amounts: Record<string, unknown> | undefined): string[] {
  const errors: string[] = [];
  if (!amounts || !Object.keys(amounts).length) return ["field 'amounts' is required"];
  for (const [currency, raw] of Object.entries(amounts)) {
    let d: Decimal;
    try {
      d = new Decimal(raw as string | number);
    } catch {
      return ['number value is out of permitted range'];
    }
    if (!d.isFinite() || d.abs().greaterThan(new Decimal('1e100'))) return ['number value is out of permitted range'];
    if (d.isNegative() || d.greaterThan(MAX_AMOUNT)) errors.push(`amount for '${currency}' is out of range`);
  }
  return errors.slice(0, 1);
}

/** Sends airtime to the contact's first tel URN; local `_new_transfer` holds the event UUID or ''. */
export default defineAction<ActionDef & { amounts: Record<string, number | string> }>({
  type: 'transfer_airtime',
  flowTypes: ONLINE,
  inspect: (_a, add) => add.local('_new_transfer'),
  validate: (a) => validateAmounts(a.amounts),
  async execute(run, _step, a, log) {
    run.locals._new_transfer = '';
    const recipient = run.contact.urns.find((u) => u.scheme === 'tel');
    if (!recipient) {
      log('error', { text: "can't transfer airtime to contact without a phone number" });
      return;
    }
    const route = run.contact.route();
    const sender = route && route.channel.schemes.includes('tel') ? `tel:${route.channel.address}` : '';
    const service = run.session.services.airtime;
    if (!service) {
      log('error', { text: 'no airtime service configured' });
      return;
    }
    const transferUUID = run.session.newUUID();
    const result = await service.transfer(sender, `tel:${recipient.path}`, a.amounts);
    if (!result.transfer) {
      log('error', { text: result.error ?? 'airtime transfer failed' });
      return;
    }
    const t = result.transfer;
    log('airtime_created', {
      uuid: transferUUID, external_id: t.externalId, sender: t.sender, recipient: t.recipient,
      currency: t.currency, amount: t.amount, http_logs: result.httpLogs,
    });
    run.locals._new_transfer = transferUUID;
  },
});
