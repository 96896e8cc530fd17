import type { ActionDef } from '../definition/flow.ts';
import { currentLocale, str } from './support/helpers.ts';
import { ivrMsg } from './support/ivr.ts';
import { defineAction, VOICE } from './support/types.ts';

export default defineAction<ActionDef & { text: string; audio_url?: string }>({
  type: 'say_msg',
  flowTypes: VOICE,
  textFields: [{ name: 'text', evaluated: true, localized: true }, { name: 'audio_url', localized: true }],
  execute(run, _step, a, log) {
    const [localizedText, lang] = run.text(a.uuid, 'text', str(a.text));
    const text = run.evaluate(localizedText, log)[0].trim();
    const [audioURL] = run.text(a.uuid, 'audio_url', str(a.audio_url));
    if (!text && !audioURL) {
      log('error', { text: "Can't say message without audio URL or backdown text" });
      return;
    }
    log('ivr_created', { msg: ivrMsg(run, text, audioURL, currentLocale(run, lang)) });
  },
});
