import { migrateTemplate } from './expressions/migrate.ts';
import type { Translations } from './translations.ts';

/**
 * Collects the translations found inline in legacy actions and rules into the new flow-level
 * `localization` section, migrating each text's expressions on the way.
 */
export class LocalizationBuilder {
  private readonly langs = new Map<string, Map<string, Record<string, string[]>>>();

  add(lang: string, itemUUID: string, property: string, values: string[]): void {
    let items = this.langs.get(lang);
    if (!items) this.langs.set(lang, (items = new Map()));
    let item = items.get(itemUUID);
    if (!item) items.set(itemUUID, (item = {}));
    item[property] = values;
  }

  /** Stores the non-base translations and returns the migrated base-language text. */
  addText(baseLanguage: string, t: Translations | null, itemUUID: string, property: string): string {
    let base = '';
    for (const [lang, text] of t ?? []) {
      const migrated = migrateTemplate(text);
      if (lang === baseLanguage) base = migrated;
      else if (lang !== 'base') this.add(lang, itemUUID, property, [migrated]);
    }
    return base;
  }

  /** As addText for lists (quick replies), where every language but the base one is a translation. */
  addList(baseLanguage: string, byLang: Map<string, string[]> | null, itemUUID: string, property: string): string[] {
    let base: string[] = [];
    for (const [lang, texts] of byLang ?? []) {
      const migrated = texts.map((s) => migrateTemplate(s));
      if (lang === baseLanguage) base = migrated;
      else this.add(lang, itemUUID, property, migrated);
    }
    return base;
  }

  toJSON(): Record<string, Record<string, Record<string, string[]>>> {
    const out: Record<string, Record<string, Record<string, string[]>>> = {};
    for (const [lang, items] of this.langs) out[lang] = Object.fromEntries(items);
    return out;
  }
}
