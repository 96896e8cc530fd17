// Splits a template into literal text, `@identifier` references and `@(expression)` blocks, following
// RapidPro's scanner: `@@` is a literal `@`, identifiers only count when their top level is a known
// context key, and an unterminated `@(` is left as text.

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'identifier'; source: string }
  | { kind: 'expression'; source: string };

const NAME_CHAR = /[\p{L}\p{N}_]/u;

function isNameChar(ch: string | undefined): boolean {
  if (ch === undefined) return false;
  const c = ch.charCodeAt(0);
  if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) return true;
  return c >= 128 && NAME_CHAR.test(ch);
}

/** Reads one code point at i (handles surrogate pairs). */
function charAt(s: string, i: number): string {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) return s.slice(i, i + 2);
  return s[i];
}

/** Scans `(`...`)` after `@(`; returns the end index (after the closing paren) or -1 if unterminated. */
function scanExpressionEnd(t: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < t.length) {
    const ch = t[i];
    if (ch === '"') {
      i++;
      let escaped = false;
      while (i < t.length) {
        const c = t[i++];
        if (c === '"' && !escaped) break;
        escaped = c === '\\';
      }
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
    i++;
  }
  return -1;
}

function scanIdentifierEnd(t: string, start: number): { end: number; topLevel: string } {
  let i = start;
  let topLevel = '';
  while (i < t.length) {
    const ch = charAt(t, i);
    if (ch === '.') {
      if (topLevel === '') topLevel = t.slice(start, i);
      const next = charAt(t, i + 1);
      if (i + 1 < t.length && isNameChar(next)) {
        i += 1 + next.length;
        continue;
      }
      break;
    }
    if (!isNameChar(ch)) break;
    i += ch.length;
  }
  if (topLevel === '') topLevel = t.slice(start, i);
  return { end: i, topLevel: topLevel.toLowerCase() };
}

/**
 * Scans a template. `topLevels` lists the allowed identifier roots (lowercase); null allows any.
 * `unescape` false keeps `@@` as is (used when templates are only inspected).
 */
export function scanTemplate(t: string, topLevels: ReadonlySet<string> | null, unescape = true): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  const flush = () => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  while (i < t.length) {
    const at = t.indexOf('@', i);
    if (at < 0) {
      text += t.slice(i);
      break;
    }
    text += t.slice(i, at);
    const next = t[at + 1];
    if (next === '@') {
      text += unescape ? '@' : '@@';
      i = at + 2;
    } else if (next === '(') {
      const end = scanExpressionEnd(t, at + 2);
      if (end < 0) {
        text += t.slice(at);
        break;
      }
      flush();
      parts.push({ kind: 'expression', source: t.slice(at + 2, end - 1) });
      i = end;
    } else if (next !== undefined && isNameChar(charAt(t, at + 1))) {
      const { end, topLevel } = scanIdentifierEnd(t, at + 1);
      const source = t.slice(at + 1, end);
      if (topLevels === null || topLevels.has(topLevel)) {
        flush();
        parts.push({ kind: 'identifier', source });
      } else {
        text += '@' + source;
      }
      i = end;
    } else {
      text += '@';
      i = at + 1;
    }
  }
  flush();
  return parts;
}
