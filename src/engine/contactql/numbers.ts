import { Decimal } from 'decimal.js';

const PLAIN_DECIMAL = /^-?(\d+|\d+\.\d+|\.\d+)$/;
const MAX_SIGNIFICANT_DIGITS = 36;
const MAX_EXPONENT = 100;

/**
 * Parses a query number the way the engine parses numbers everywhere: plain notation only (no
 * `1e10`), at most 36 significant digits and a magnitude within 1E±100. Returns it in plain
 * notation, or null when it is not acceptable.
 */
export function parseQueryNumber(text: string): string | null {
  const s = text.trim();
  if (!PLAIN_DECIMAL.test(s)) return null;
  const d = new Decimal(s);
  if (d.isZero()) return '0';
  if (d.sd() > MAX_SIGNIFICANT_DIGITS || Math.abs(d.e) > MAX_EXPONENT) return null;
  return d.toFixed();
}
