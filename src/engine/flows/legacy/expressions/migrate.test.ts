import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateLegacyTemplate, migrateStringLiteral, migrateTemplate } from './migrate.ts';

const cases: [string, string][] = [
  ['@CONTACT', '@contact'],
  ['@contact.NAME', '@contact.name'],
  ['@contact.gender', '@fields.gender'],
  ['@contact.groups', '@(join(contact.groups, ","))'],
  ['@contact.tel', '@(format_urn(urns.tel))'],
  ['@contact.tel_e164', '@(default(urn_parts(urns.tel).path, ""))'],
  ['@contact.twitter.urn', '@urns.twitter'],
  ['@parent.contact.tel.scheme', '@(urn_parts(parent.urns.tel).scheme)'],
  ['@flow', '@results'],
  ['@flow.color.category', '@results.color.category_localized'],
  ['@flow.2factor.value', '@(results["2factor"].value)'],
  ['@child.age.text', '@child.results.age.input'],
  ['@extra.flow.role', '@parent.results.role'],
  ['@step', '@input'],
  ['@step.attachments.3', '@(attachment_parts(input.attachments[3]).url)'],
  ['@date.now', '@(now())'],
  ['@date.today', '@(format_date(today()))'],
  ['@channel.tel', '@contact.channel.address'],
  ['@extra.results.1', '@(legacy_extra.results["1"])'],
  ['@(TRUE())', '@(true)'],
  ['@(1 <> 4)', '@(1 != 4)'],
  ['@("")', ''],
  ['@(" "" ")', '@(" \\" ")'],
  ['@(ABS(5) + MOD(7, 2))', '@(abs(5) + mod(7, 2))'],
  ['@(date.now + 5)', '@(datetime_add(now(), 5, "D"))'],
  ['@(date.today - 2)', '@(format_date(datetime_add(format_date(today()), -2, "D")))'],
  ['@(today() + TIME(15, 30, 0))', '@(replace_time(today(), time_from_parts(15, 30, 0)))'],
  ['@(contact.age + 100 - 5)', '@(legacy_add(legacy_add(fields.age, 100), -5))'],
  ['@(WORD(step.value, 2, TRUE))', '@(word(input, 1, " \\t"))'],
  ['@(FIXED(x))', '@(format_number(x, 2))'],
  ['@(LEFT("abc", 2)) @(DAYS(a, b))', '@(text_slice("abc", 0, 2)) @(datetime_diff(b, a, "D"))'],
  ['@(CONCATENATE("a", flow.b))', '@("a" & results.b)'],
  ['bob@nyaruka.com @twitter_handle @ @@flow', 'bob@nyaruka.com @twitter_handle @ @@flow'],
  ['@contact.name...?', '@contact.name...?'],
];

test('legacy templates migrate to Excellent syntax', () => {
  for (const [old, migrated] of cases) {
    assert.equal(migrateTemplate(old), migrated, old);
    assert.equal(migrateTemplate(`Embedded ${old} text`), `Embedded ${migrated} text`, old);
  }
});

test('options: default to self, URL encoding, raw dates', () => {
  assert.equal(migrateTemplate('@extra.x', { defaultToSelf: true }), '@(if(is_error(legacy_extra.x), "@extra.x", legacy_extra.x))');
  assert.equal(migrateTemplate('http://x.com?n=@contact.name', { urlEncode: true }), 'http://x.com?n=@(url_encode(contact.name))');
  assert.equal(migrateTemplate('@(date.today + 10)', { rawDates: true }), '@(datetime_add(today(), 10, "D"))');
});

test('unparseable expressions are kept and reported', () => {
  for (const bad of ['@(1.1.0)', "@('x')", '@(0 / )']) {
    const r = migrateLegacyTemplate(`a ${bad} b`);
    assert.equal(r.template, `a ${bad} b`);
    assert.equal(r.errors.length, 1, bad);
  }
  const deep = '@(' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ')';
  assert.equal(migrateTemplate(deep), deep);
});

test('string literals switch from Excel to backslash escaping', () => {
  assert.equal(migrateStringLiteral('""'), '""');
  assert.equal(migrateStringLiteral('"""hello"""'), '"\\"hello\\""');
  assert.equal(migrateStringLiteral('"\\D\\w+"'), '"\\D\\w+"');
});
