/**
 * Loose accessors over a flow definition held as plain JSON. Migrations must cope with anything an
 * older editor produced, so every accessor tolerates missing or wrongly typed parts instead of throwing.
 */
export type JSONObject = { [key: string]: unknown };

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function objects(v: unknown): JSONObject[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

export function nodesOf(flow: JSONObject): JSONObject[] {
  return objects(flow.nodes);
}

export function actionsOf(node: JSONObject): JSONObject[] {
  return objects(node.actions);
}

export function routerOf(node: JSONObject): JSONObject | null {
  return isObject(node.router) ? node.router : null;
}

export function typeOf(o: JSONObject | null): string {
  return o ? str(o.type) : '';
}

export function uuidOf(o: unknown): string {
  return isObject(o) ? str(o.uuid) : '';
}

/** `{lang: {item_uuid: {property: [strings]}}}`, or null when the flow has none. */
export function localizationOf(flow: JSONObject): JSONObject | null {
  return isObject(flow.localization) ? flow.localization : null;
}

/** The translations of one language, each call seeing the live object so edits land in the flow. */
export class LanguageTranslations {
  constructor(private readonly lang: JSONObject) {}

  static all(flow: JSONObject): LanguageTranslations[] {
    const loc = localizationOf(flow);
    if (!loc) return [];
    return Object.values(loc).filter(isObject).map((l) => new LanguageTranslations(l));
  }

  get(itemUUID: string, property: string): string[] | null {
    const item = this.lang[itemUUID];
    if (!isObject(item) || !Array.isArray(item[property])) return null;
    return (item[property] as unknown[]).map(str);
  }

  set(itemUUID: string, property: string, values: string[]): void {
    let item = this.lang[itemUUID];
    if (!isObject(item)) {
      item = {};
      this.lang[itemUUID] = item;
    }
    (item as JSONObject)[property] = [...values];
  }

  delete(itemUUID: string, property: string): void {
    const item = this.lang[itemUUID];
    if (!isObject(item)) return;
    delete item[property];
    if (Object.keys(item).length === 0) delete this.lang[itemUUID];
  }
}

/** Length in UTF-8 bytes, which is how goflow measures names against their limits. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Cuts to at most `max` characters (code points). */
export function truncateChars(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length > max ? chars.slice(0, max).join('') : s;
}
