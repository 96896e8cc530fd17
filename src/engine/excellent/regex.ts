// RapidPro patterns are RE2. JS regexes (with the `u` flag) accept nearly the same syntax; this
// translates the RE2-only forms — `(?P<name>`, leading flag groups such as `(?-i)`, `\A` / `\z`,
// `\pL` without braces, `\Q…\E` and POSIX classes — and rejects what JS cannot compile.
const cache = new Map<string, RegExp | null>();

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

function escapeLiteral(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');
}

/** Rewrites RE2 syntax to JS syntax; null when the pattern uses something JS cannot express. */
function translate(pattern: string, flags: Set<string>): string | null {
  let p = pattern;
  // leading flag groups, e.g. (?i) (?-i) (?ms)
  for (let m = /^\(\?([imsU]*)(?:-([imsU]*))?\)/.exec(p); m && (m[1] || m[2]); m = /^\(\?([imsU]*)(?:-([imsU]*))?\)/.exec(p)) {
    for (const c of m[1]) if (c !== 'U') flags.add(c);
    for (const c of m[2] ?? '') flags.delete(c);
    p = p.slice(m[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if (n === undefined) return null;
      if (n === 'Q') {
        const end = p.indexOf('\\E', i + 2);
        const lit = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
        out += escapeLiteral(lit);
        i = end < 0 ? p.length : end + 1;
        continue;
      }
      if (!inClass && n === 'A') {
        out += '(?<![\\s\\S])';
        i++;
        continue;
      }
      if (!inClass && n === 'z') {
        out += '(?![\\s\\S])';
        i++;
        continue;
      }
      if ((n === 'p' || n === 'P') && /[A-Z]/.test(p[i + 2] ?? '')) {
        out += `\\${n}{${p[i + 2]}}`;
        i += 2;
        continue;
      }
      out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && p[i + 1] === ':') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i));
        if (m && POSIX[m[2]] && !m[1]) {
          out += POSIX[m[2]];
          i += m[0].length - 1;
          continue;
        }
        return null;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') out += '\\' + p[++i];
      continue;
    }
    if (c === '(' && p.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
      continue;
    }
    if (c === '(' && p[i + 1] === '?' && /^\(\?[imsU-]+[:)]/.test(p.slice(i))) return null;
    out += c;
  }
  return out;
}

export function compileRegex(pattern: string, flags: string): RegExp | null {
  const key = flags + '\u0000' + pattern;
  let re = cache.get(key);
  if (re !== undefined) return re;
  const f = new Set([...flags, 'u']);
  const source = translate(pattern, f);
  try {
    re = source === null ? null : new RegExp(source, [...f].join(''));
  } catch {
    re = null;
  }
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}
