// Contact-oriented router tests: has_phone, has_email, has_group.
import { toXArray, toXObject, toXText } from '../convert.ts';
import { def } from '../functions/registry.ts';
import { initialText, oneText } from '../functions/args.ts';
import { findPhoneNumbers } from '../../urns/index.ts';
import { XError } from '../values.ts';
import { falseResult, trueResult } from './result.ts';

initialText('has_phone', 0, 1, (env, text, rest) => {
  let country = env.defaultCountry ?? '';
  if (rest.length === 1) {
    const c = toXText(rest[0]);
    if (c instanceof XError) return c;
    country = c;
  }
  const numbers = findPhoneNumbers(text, country);
  return numbers.length ? trueResult(numbers[0]) : falseResult();
});

const EMAIL = /([\p{L}\p{N}][-_+$~.\p{L}\p{N}]*)@([\p{L}\p{N}][-_\p{L}\p{N}]*)(\.[\p{L}\p{N}][-_\p{L}\p{N}]*)+/u;

oneText('has_email', (_env, text) => {
  const m = EMAIL.exec(text);
  return m ? trueResult(m[0]) : falseResult();
});

def('has_group', 2, 3, (_env, args) => {
  const groups = toXArray(args[0]);
  if (groups instanceof XError) return groups;
  const uuid = toXText(args[1]);
  if (uuid instanceof XError) return uuid;
  for (const item of groups.items) {
    const group = toXObject(item);
    if (group instanceof XError) return group;
    const u = toXText(group.get('uuid'));
    if (u instanceof XError) return u;
    if (u === uuid) return trueResult(group);
  }
  return falseResult();
});
