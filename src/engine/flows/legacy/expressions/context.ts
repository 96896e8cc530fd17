/**
 * How legacy context references (`@contact.tel`, `@flow.age.category`, `@step.value`, `@date.today`...)
 * map to the new context. Each rule is tried in order against the lower-cased path.
 */
import { URN_SCHEMES } from '../urn_schemes.ts';

interface Mapping {
  pattern: RegExp;
  replace: string;
  /** a date (not a datetime) that's formatted unless raw dates were asked for */
  isDate?: boolean;
}

const schemes = [...URN_SCHEMES].join('|');
// optional flow./step. prefix, then an optional parent./child. (captured as $1)
const contact = String.raw`^(?:(?:flow|step)\.)?((?:parent|child)\.)?contact`;

function results(prefix: string, target: string): Mapping[] {
  return [
    { pattern: new RegExp(`^${prefix}$`), replace: target },
    { pattern: new RegExp(`^${prefix}\\.(\\w+)$`), replace: `${target}.$1` },
    { pattern: new RegExp(`^${prefix}\\.(\\w+)\\.value$`), replace: `${target}.$1.value` },
    { pattern: new RegExp(`^${prefix}\\.(\\w+)\\.category$`), replace: `${target}.$1.category_localized` },
    { pattern: new RegExp(`^${prefix}\\.(\\w+)\\.text$`), replace: `${target}.$1.input` },
    { pattern: new RegExp(`^${prefix}\\.(\\w+)\\.time$`), replace: `${target}.$1.created_on` },
  ];
}

const MAPPINGS: Mapping[] = [
  ...['', '.uuid', '.id', '.name', '.first_name', '.created_on', '.language'].map((prop) => ({
    pattern: new RegExp(`${contact}${prop.replace('.', '\\.')}$`),
    replace: `$1contact${prop}`,
  })),
  { pattern: new RegExp(`${contact}\\.groups$`), replace: `join($1contact.groups, ",")` },
  { pattern: new RegExp(`${contact}\\.tel_e164$`), replace: `default(urn_parts($1urns.tel).path, "")` },
  { pattern: new RegExp(`${contact}\\.tel$`), replace: `format_urn($1urns.tel)` },
  { pattern: new RegExp(`${contact}\\.(${schemes})$`), replace: `default(urn_parts($1urns.$2).path, "")` },
  { pattern: new RegExp(`${contact}\\.(${schemes})\\.display$`), replace: `format_urn($1urns.$2)` },
  { pattern: new RegExp(`${contact}\\.(${schemes})\\.path$`), replace: `urn_parts($1urns.$2).path` },
  { pattern: new RegExp(`${contact}\\.(${schemes})\\.scheme$`), replace: `urn_parts($1urns.$2).scheme` },
  { pattern: new RegExp(`${contact}\\.(${schemes})\\.urn$`), replace: `$1urns.$2` },
  { pattern: new RegExp(`${contact}\\.(\\w+)$`), replace: `$1fields.$2` },

  ...results('flow', 'results'),
  ...results('child', 'child.results'),
  ...results('(?:parent|extra\\.flow)', 'parent.results'),

  { pattern: /^step(\.value)?$/, replace: 'input' },
  { pattern: /^step\.text$/, replace: 'input.text' },
  { pattern: /^step\.time$/, replace: 'input.created_on' },
  { pattern: /^step\.attachments$/, replace: 'foreach(foreach(input.attachments, attachment_parts), extract, "url")' },
  { pattern: /^step\.attachments\.(\d+)$/, replace: 'attachment_parts(input.attachments[$1]).url' },

  { pattern: /^channel$/, replace: 'contact.channel.address' },
  { pattern: /^channel\.(address|tel|tel_e164)$/, replace: 'contact.channel.address' },
  { pattern: /^channel\.name$/, replace: 'contact.channel.name' },

  { pattern: /^date(\.now)?$/, replace: 'now()' },
  { pattern: /^date\.today$/, replace: 'today()', isDate: true },
  { pattern: /^date\.tomorrow$/, replace: 'datetime_add(now(), 1, "D")', isDate: true },
  { pattern: /^date\.yesterday$/, replace: 'datetime_add(now(), -1, "D")', isDate: true },

  { pattern: /^extra$/, replace: 'legacy_extra' },
  { pattern: /^extra\.([\w.]+)$/, replace: 'legacy_extra.$1' },
];

/** `.1` isn't a valid lookup any more: numeric segments become `["1"]`. */
function fixNumericLookups(path: string): string {
  return path.replace(/\.\d+\w*/g, (lookup) => `["${lookup.slice(1)}"]`);
}

export function migrateContextReference(path: string, rawDates: boolean): string {
  const lower = path.toLowerCase();
  for (const m of MAPPINGS) {
    if (!m.pattern.test(lower)) continue;
    let migrated = lower.replace(m.pattern, m.replace);
    if (m.isDate && !rawDates) migrated = `format_date(${migrated})`;
    return fixNumericLookups(migrated);
  }
  return lower;
}
