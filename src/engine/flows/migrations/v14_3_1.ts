import type { SpecMigration } from './types.ts';
import { type JSONObject, LanguageTranslations, nodesOf, objects, routerOf, str, typeOf, uuidOf } from './primitives.ts';

// text tests that take exactly one argument, which an editor bug split on spaces
const SINGLE_ARG_TESTS = new Set(['has_only_text', 'has_phrase', 'has_only_phrase', 'has_any_word', 'has_all_words', 'has_beginning', 'has_pattern']);

function singleArgCases(flow: JSONObject): JSONObject[] {
  return nodesOf(flow)
    .map(routerOf)
    .filter((r): r is JSONObject => typeOf(r) === 'switch')
    .flatMap((r) => objects(r.cases))
    .filter((c) => SINGLE_ARG_TESTS.has(str(c.type)));
}

/** Joins the arguments of single-argument text tests back into one (and their translations). */
export const v14_3_1: SpecMigration = {
  version: '14.3.1',
  migrate(flow) {
    const cases = singleArgCases(flow);
    for (const c of cases) {
      if (Array.isArray(c.arguments) && c.arguments.length > 1) c.arguments = [c.arguments.map(str).join(' ')];
    }
    for (const lt of LanguageTranslations.all(flow)) {
      for (const c of cases) {
        const trans = lt.get(uuidOf(c), 'arguments');
        if (trans && trans.length > 1) lt.set(uuidOf(c), 'arguments', [trans.join(' ')]);
      }
    }
  },
};
