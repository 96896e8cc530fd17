import type { ActionDef } from '../definition/flow.ts';
import { languageModifier } from '../modifiers/language.ts';
import { modifyContact, str } from './support/helpers.ts';
import { defineAction, UNIVERSAL } from './support/types.ts';

export default defineAction<ActionDef & { language: string }>({
  type: 'set_contact_language',
  flowTypes: UNIVERSAL,
  textFields: [{ name: 'language', evaluated: true }],
  execute(run, _step, a, log) {
    const [evaluated, ok] = run.evaluate(str(a.language), log);
    if (!ok) return;
    const language = evaluated.trim();
    if (language && [...language].length !== 3) {
      log('error', { text: `iso-639-3 codes must be 3 characters, got: ${language}` });
      return;
    }
    if (language && !/^[a-z]{3}$/.test(language)) {
      log('error', { text: `unrecognized language code: ${language}` });
      return;
    }
    modifyContact(run, languageModifier(language), log);
  },
});
