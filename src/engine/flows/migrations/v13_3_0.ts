import type { SpecMigration } from './types.ts';
import { refactorTemplate } from './excellent/refactor.ts';
import { visitExpression } from './excellent/expression.ts';
import { rewriteTemplates, templateCatalog } from './templates.ts';

/** `@webhook` became the call's JSON body under `@webhook.json`. */
export const v13_3_0: SpecMigration = {
  version: '13.3.0',
  migrate(flow) {
    rewriteTemplates(flow, templateCatalog('13.2.0'), (s) =>
      // only a template mentioning webhook can change: skip parsing the rest
      !s.toLowerCase().includes('webhook') ? s : refactorTemplate(s, ['webhook'], (exp) => {
        let changed = false;
        visitExpression(exp, (e) => {
          if (e.kind === 'ref' && e.name.toLowerCase() === 'webhook') {
            e.name = 'webhook.json';
            changed = true;
          }
        });
        return changed;
      }),
    );
  },
};
