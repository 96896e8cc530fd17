// Value encoders matching what providers expect from Go-based courier: form values (QueryEscape),
// JSON strings and XML text.

/** Form/query escaping with spaces as '+', escaping everything but A-Z a-z 0-9 - _ . ~ */
export function queryEscape(v: string): string {
  // most values (ids, numbers, single words) need no escaping at all
  if (UNRESERVED.test(v)) return v;
  return encodeURIComponent(v)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

export function xmlEscape(v: string): string {
  return v.replace(/[&<>"'\t\n\r]/g, (c) => XML_ESCAPES[c]);
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;',
};

export function xmlUnescape(v: string): string {
  return v
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#([0-9]+);/g, (_, d) => String.fromCodePoint(parseInt(d, 10)))
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

/** Form-encodes an object in key order. */
export function formEncode(values: Record<string, string | string[] | undefined>): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push(`${queryEscape(k)}=${queryEscape(one)}`);
  }
  return out.join('&');
}
