// Location lookups for has_state / has_district / has_ward: exact name or alias (collated), then
// fuzzy by stripped text, single words and adjacent word pairs.
import type { Environment, Location } from '../environment.ts';
import { collate } from './tests/result.ts';

export interface IndexedLocation {
  name: string;
  level: number;
  path: string;
  parent: IndexedLocation | null;
}

interface Index {
  byLevel: Map<string, IndexedLocation[]>[];
  byPath: Map<string, IndexedLocation>;
}

const indexes = new WeakMap<Location, Index>();

function normalizePath(p: string): string {
  return p
    .replace(/\.+$/, '')
    .split('>')
    .map((part) => part.trim().replace(/\s+/g, ' ').toLowerCase())
    .join(' > ');
}

function buildIndex(root: Location): Index {
  const idx: Index = { byLevel: [new Map(), new Map(), new Map(), new Map()], byPath: new Map() };
  const visit = (loc: Location, level: number, parent: IndexedLocation | null) => {
    const node: IndexedLocation = { name: loc.name, level, path: parent ? `${parent.path} > ${loc.name}` : loc.name, parent };
    idx.byPath.set(normalizePath(node.path), node);
    const lookups = idx.byLevel[level];
    if (lookups) {
      for (const n of [loc.name, ...(loc.aliases ?? [])]) {
        const key = n.toLowerCase();
        lookups.set(key, [...(lookups.get(key) ?? []), node]);
      }
    }
    for (const c of loc.children ?? []) visit(c, level + 1, node);
  };
  visit(root, 0, null);
  return idx;
}

function indexOf(root: Location): Index {
  let idx = indexes.get(root);
  if (!idx) {
    idx = buildIndex(root);
    indexes.set(root, idx);
  }
  return idx;
}

function findByName(env: Environment, idx: Index, name: string, level: number, parent: IndexedLocation | null): IndexedLocation[] {
  if (level === 0 || name.includes('>')) {
    const m = idx.byPath.get(normalizePath(name));
    if (m) return [m];
  }
  const matches = idx.byLevel[level]?.get(collate(env, name));
  if (!matches) return [];
  return parent ? matches.filter((m) => m.parent === parent) : matches;
}

const STRIP = /[\s\p{P}]+/gu;
const WORD = /[\p{L}\d]+(-[\p{L}\d]+)*/gu;

export function findLocationsFuzzy(env: Environment, root: Location, text: string, level: number, parent: IndexedLocation | null): IndexedLocation[] {
  const idx = indexOf(root);
  let found = findByName(env, idx, text, level, parent);
  if (found.length) return found;
  found = findByName(env, idx, text.replace(STRIP, '').trim(), level, parent);
  if (found.length) return found;
  const words = text.match(WORD) ?? [];
  for (const w of words) {
    found = findByName(env, idx, w, level, parent);
    if (found.length) return found;
  }
  for (let i = 0; i < words.length - 1; i++) {
    found = findByName(env, idx, `${words[i]} ${words[i + 1]}`, level, parent);
    if (found.length) return found;
  }
  return [];
}
