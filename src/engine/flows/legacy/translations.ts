/**
 * Legacy flows hold translatable text inline: `{"eng": "Hi", "fra": "Salut"}`, or just a string,
 * which means the `base` language.
 */
import { LegacyDefinitionError } from './errors.ts';

export type Translations = Map<string, string>;

/** null when the property is absent; throws when it's neither a string nor a map of strings. */
export function readTranslations(value: unknown, what: string): Translations | null {
  if (value === undefined) return null;
  if (value === null) return new Map();
  if (typeof value === 'string') return new Map([['base', value]]);
  if (typeof value === 'object' && !Array.isArray(value)) {
    const t: Translations = new Map();
    for (const [lang, text] of Object.entries(value)) {
      // a null translation is read as empty text, as Go reads it
      if (text === null) t.set(lang, '');
      else if (typeof text === 'string') t.set(lang, text);
      else throw new LegacyDefinitionError(`${what}: translation for '${lang}' isn't a string`);
    }
    return t;
  }
  throw new LegacyDefinitionError(`${what}: expected text or translations`);
}

/** The text in the flow's base language, else the `base` entry. */
export function baseText(t: Translations | null, baseLanguage: string): string {
  if (!t) return '';
  return t.get(baseLanguage) ?? t.get('base') ?? '';
}

/** `[{eng: yes, fra: oui}, {eng: no}]` → `{eng: [yes, no], fra: [oui, ""]}` */
export function byLanguage(items: Translations[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  items.forEach((item, i) => {
    for (const [lang, text] of item) {
      let list = out.get(lang);
      if (!list) {
        list = new Array<string>(items.length).fill('');
        out.set(lang, list);
      }
      list[i] = text;
    }
  });
  return out;
}

/** Joins a relative media path onto the base URL; absolute URLs are left alone. */
export function urlJoin(base: string, relative: string): string {
  if (relative.startsWith('http://') || relative.startsWith('https://')) return relative;
  return `${base.replace(/\/$/, '')}/${relative.replace(/^\//, '')}`;
}
