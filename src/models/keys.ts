/**
 * Keys for fields and globals, generated from names as RapidPro does: lowercase, every run of
 * characters other than a-z and 0-9 becomes one underscore, none at either end.
 */
export function keyFromName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/[^a-z0-9]+/g, '_');
}

const KEY = /^[a-z][a-z0-9_]*$/;
export const MAX_KEY_LENGTH = 36;

export function isValidKey(key: string, reserved: readonly string[] = []): boolean {
  return KEY.test(key) && key.length <= MAX_KEY_LENGTH && !reserved.includes(key);
}
