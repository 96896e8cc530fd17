import type { QueryEnvironment } from './environment.ts';
import { nameTokens } from './names.ts';
import type { RawCondition } from './raw.ts';
import { looksLikeRef } from './urns.ts';
import { parseURN } from '../urns/parse.ts';

const LOOKS_LIKE_PHONE = /^\+?[-\d]{4,}$/;

/**
 * What a bare value means: with redacted URNs only a contact reference or a name; otherwise a URN
 * (`scheme:path`), a partial phone number, or a name search (contains when it has a word of 2+
 * bytes, else equality).
 */
export function implicitCondition(env: QueryEnvironment, value: string): RawCondition {
  if (env.redactionPolicy === 'urns') {
    if (looksLikeRef(value)) return { kind: 'attribute', key: 'ref', operator: '=', value };
  } else {
    const urn = parseURN(value);
    if (urn) return { kind: 'urn', key: urn.scheme, operator: '=', value: urn.path };
    if (LOOKS_LIKE_PHONE.test(value)) {
      return { kind: 'urn', key: 'tel', operator: '~', value: value.replace(/[^+\d]+/g, '') };
    }
  }
  const operator = nameTokens(value).length === 0 ? '=' : '~';
  return { kind: 'attribute', key: 'name', operator, value };
}
