// RapidPro patterns are RE2; JS regexes accept nearly the same syntax. Translate the few RE2-only
// forms (named groups `(?P<n>`, leading inline flags) and reject what JS cannot compile.
const cache = new Map<string, RegExp | null>();

export function compileRegex(pattern: string, flags: string): RegExp | null {
  const key = flags + '\u0000' + pattern;
  let re = cache.get(key);
  if (re !== undefined) return re;
  let p = pattern.replace(/\(\?P</g, '(?<');
  let f = new Set([...flags, 'u']);
  const inline = /^\(\?([imsU]+)\)/.exec(p);
  if (inline) {
    for (const c of inline[1]) if (c !== 'U') f.add(c);
    p = p.slice(inline[0].length);
  }
  try {
    re = new RegExp(p, [...f].join(''));
  } catch {
    re = null;
  }
  if (cache.size > 1000) cache.clear();
  cache.set(key, re);
  return re;
}
