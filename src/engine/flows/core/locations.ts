import type { LocationAsset } from '../assets.ts';

/** A node of the location hierarchy: level 0 is the country, then state, district, ward. */
export interface Location { name: string; aliases: string[]; level: number; path: string; parent: Location | null }

export const LEVEL_STATE = 1;
export const LEVEL_DISTRICT = 2;
export const LEVEL_WARD = 3;

const SEPARATOR = ' > ';
const key = (s: string) => s.trim().toLowerCase();

/** Looks locations up by path, and by name or alias within a level (case-insensitive, fuzzy). */
export class Locations {
  private byPath = new Map<string, Location>();
  private byLevel: Map<string, Location[]>[] = [];

  constructor(root: LocationAsset | undefined) {
    if (root) this.add(root, null, 0);
  }

  private add(asset: LocationAsset, parent: Location | null, level: number): void {
    const path = parent ? `${parent.path}${SEPARATOR}${asset.name}` : asset.name;
    const loc: Location = { name: asset.name, aliases: asset.aliases ?? [], level, path, parent };
    this.byPath.set(key(path), loc);
    const index = (this.byLevel[level] ??= new Map());
    for (const n of [asset.name, ...loc.aliases]) {
      const list = index.get(key(n)) ?? [];
      if (!list.includes(loc)) list.push(loc);
      index.set(key(n), list);
    }
    for (const child of asset.children ?? []) this.add(child, loc, level + 1);
  }

  lookupPath(path: string): Location | undefined { return this.byPath.get(key(path)); }

  find(name: string, level: number, parent: Location | null): Location[] {
    if (level === 0 || name.includes(SEPARATOR.trim())) {
      const m = this.lookupPath(name);
      if (m) return [m];
    }
    const matches = this.byLevel[level]?.get(key(name)) ?? [];
    return parent ? matches.filter((l) => l.parent === parent) : matches;
  }

  /** Exact name, then text without spaces/punctuation, then each word, then each word pair. */
  findFuzzy(text: string, level: number, parent: Location | null): Location[] {
    let found = this.find(text, level, parent);
    if (found.length) return found;
    found = this.find(text.replace(/[\s\p{P}]+/gu, '').trim(), level, parent);
    if (found.length) return found;
    const words = text.match(/[\p{L}\d]+(-[\p{L}\d]+)*/gu) ?? [];
    for (const w of words) {
      found = this.find(w, level, parent);
      if (found.length) return found;
    }
    for (let i = 0; i < words.length - 1; i++) {
      found = this.find(`${words[i]} ${words[i + 1]}`, level, parent);
      if (found.length) return found;
    }
    return [];
  }
}

export const isPossibleLocationPath = (s: string) => s.includes(SEPARATOR.trim());
