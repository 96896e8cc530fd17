// Router test results: objects whose default is true/false, with `match` and sometimes `extra`.
import type { Environment } from '../../environment.ts';
import { XObject, type XValue } from '../values.ts';

export function trueResult(match: XValue, extra?: XObject): XObject {
  const o = new XObject({ match });
  if (extra) o.set('extra', extra);
  return o.setDefault(true);
}

export function falseResult(): XObject {
  return new XObject({ match: '' }).setDefault(false);
}

const ARABIC_VARIANTS: Record<string, string> = {
  '٠': '۰', '١': '۱', '٢': '۲', '٣': '۳', '٤': '۴', '٥': '۵', '٦': '۶', '٧': '۷', '٨': '۸', '٩': '۹',
  'آ': 'ا', 'ى': 'ی', 'ي': 'ی', 'ې': 'ی', 'ۍ': 'ی', 'ئ': 'ی', 'ك': 'ک', 'ګ': 'ک', 'ټ': 'ت', 'ډ': 'د', 'ړ': 'ر', 'ڼ': 'ن', 'ښ': 'ش',
};

/** The env's input collation applied to a token before comparison. */
export function collate(env: Environment, s: string): string {
  switch (env.inputCollation) {
    case 'arabic_variants':
      return [...s.normalize('NFKC')].map((c) => ARABIC_VARIANTS[c] ?? c).join('').toLowerCase();
    case 'confusables':
      // approximation of the Unicode confusables skeleton: compatibility decomposition without marks
      return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
    default:
      return s.toLowerCase();
  }
}

export function collateEquals(env: Environment, a: string, b: string): boolean {
  return collate(env, a) === collate(env, b);
}
