import { normalizeURN } from '../core/urns.ts';
import type { ActionDef } from '../definition/flow.ts';
import { routesModifier } from '../modifiers/routes.ts';
import { modifyContact, str } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

export default defineAction<ActionDef & { scheme: string; path: string }>({
  type: 'add_contact_urn',
  flowTypes: UNIVERSAL,
  inspect: (_a, add) => add.local('_has_urn'),
  textFields: [{ name: 'path', evaluated: true }],
  execute(run, _step, a, log) {
    const path = run.evaluate(str(a.path), log)[0].trim();
    if (!path) {
      log('error', { text: "Can't add URN with empty path" });
      return;
    }
    const urn = normalizeURN(a.scheme, path, run.session.mergedEnv().defaultCountry ?? '');
    modifyContact(run, routesModifier([{ urn }], 'append'), log);
    const has = run.contact.urns.some((u) => `${u.scheme}:${u.path}` === urn);
    run.locals._has_urn = has ? urn : '';
  },
});
