import type { SpecMigration } from './types.ts';
import { refactorTemplate } from './excellent/refactor.ts';
import { visitExpression } from './excellent/expression.ts';
import { rewriteTemplates, templateCatalog } from './templates.ts';
import { truncateChars } from './primitives.ts';

const MAX_RESULT_REF = 64;

/** Truncates `@results.x` lookups to match the result names 13.6.0 truncated. */
export const v13_6_1: SpecMigration = {
  version: '13.6.1',
  migrate(flow) {
    rewriteTemplates(flow, templateCatalog('13.6.0'), (s) =>
      // only a template mentioning results can change: skip parsing the rest
      !s.includes('results') ? s : refactorTemplate(s, ['results'], (exp) => {
        let changed = false;
        visitExpression(exp, (e) => {
          // the reference is matched as written (not case-folded), as goflow does
          if (e.kind === 'dot' && e.container.kind === 'ref' && e.container.name === 'results') {
            const truncated = truncateChars(e.lookup, MAX_RESULT_REF);
            if (truncated !== e.lookup) {
              e.lookup = truncated;
              changed = true;
            }
          }
        });
        return changed;
      }),
    );
  },
};
