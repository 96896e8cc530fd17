import type { ActionDef } from '../definition/flow.ts';
import { currentLocale, str } from './support/helpers.ts';
import { ivrMsg } from './support/ivr.ts';
import { defineAction, VOICE } from './support/types.ts';

export default defineAction<ActionDef & { audio_url: string }>({
  type: 'play_audio',
  flowTypes: VOICE,
  textFields: [{ name: 'audio_url', evaluated: true, localized: true }],
  execute(run, _step, a, log) {
    const [localized, lang] = run.text(a.uuid, 'audio_url', str(a.audio_url));
    const [evaluated, ok] = run.evaluate(localized, log);
    if (!ok) return;
    const url = evaluated.trim();
    if (!url) {
      log('error', { text: 'Audio URL evaluated to empty, skipping' });
      return;
    }
    log('ivr_created', { msg: ivrMsg(run, '', url, currentLocale(run, lang)) });
  },
});
