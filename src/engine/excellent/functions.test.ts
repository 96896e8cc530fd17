import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEnvironment, type Environment } from '../environment.ts';
import { evaluateTemplate, XObject } from './index.ts';

const now = () => new Date(Date.UTC(2018, 3, 11, 18, 24, 30, 123));
const dmy = defaultEnvironment({ dateFormat: 'DD-MM-YYYY', timezone: 'America/Guayaquil', now, nowNanos: () => 456_000 });
const mdy = defaultEnvironment({ dateFormat: 'MM-DD-YYYY', timeFormat: 'h:mm aa', timezone: 'America/Los_Angeles', now });

function check(env: Environment, cases: [string, string][]): void {
  for (const [template, expected] of cases) {
    const r = evaluateTemplate(template, new XObject(), env);
    if (expected === 'ERROR') assert.ok(r.errors.length > 0, `${template} should fail, got ${r.output}`);
    else {
      assert.deepEqual(r.errors, [], template);
      assert.equal(r.output, expected, template);
    }
  }
}

describe('text functions', () => {
  test('words, fields, slices and case', () => {
    check(dmy, [
      ['@(word("hello-there world", 1))', 'there'],
      ['@(word_slice("a b c d", 1, 3))', 'b c'],
      ['@(field("a,,b", 2, ","))', 'b'],
      ['@(field("a  b", 1, " "))', 'b'],
      ['@(text_slice("héllo", -4))', 'éllo'],
      ['@(title("o\'grady mcdonald-smith"))', "O'Grady Mcdonald-Smith"],
      ['@(upper("straße"))', 'STRAßE'],
      ['@(remove_first_word("  one  two three"))', 'two three'],
      ['@(replace("aaa", "a", "b", 2))', 'bba'],
      ['@(url_encode("a b&c=d/é!"))', 'a%20b%26c%3Dd%2F%C3%A9%21'],
      ['@(html_decode("&lt;b&gt; &#233; &#x41; &nbsp;x"))', '<b> é A  x'],
      ['@(regex_match("Order 1234", "(?P<num>\\d+)"))', '1234'],
      ['@(repeat("ab", 5001))', 'ERROR'],
    ]);
  });
});

describe('numbers', () => {
  test('rounding, formatting and ranges', () => {
    check(dmy, [
      ['@(round(-2.5))', '-3'],
      ['@(round_up(-2.5))', '-2'],
      ['@(round(1234.5678, -2))', '1200'],
      ['@(format_number(-1234567.891, 2))', '-1,234,567.89'],
      ['@(format_number(1234, 0, false))', '1234'],
      ['@(mod(-7, 3))', '-1'],
      ['@(1 / 3 * 3)', '0.9999999999999999'],
      ['@(10 ^ 100)', '10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'],
      ['@(10 ^ 101)', 'ERROR'],
      ['@(number("1e5"))', 'ERROR'],
      ['@(number(" -.5 "))', '-0.5'],
    ]);
    const euro = defaultEnvironment({ numberFormat: { decimalSymbol: ',', digitGroupingSymbol: '.' } });
    check(euro, [['@(format(1234.5))', '1.234,5'], ['@(has_number("1.234,5 kg").match)', '1234.5']]);
  });
});

describe('dates and times', () => {
  test('parsing follows the environment date format and zone', () => {
    check(dmy, [
      ['@(datetime("1/2/2020 14:30"))', '2020-02-01T14:30:00.000000-05:00'],
      ['@(datetime("2020-02-01T14:30:00+01:00"))', '2020-02-01T14:30:00.000000+01:00'],
      ['@(date("31/12/99"))', '1999-12-31'],
      ['@(datetime_add("2017-01-31", 1, "M"))', '2017-03-03T00:00:00.000000-05:00'],
      ['@(datetime_diff("2017-01-31 23:00", "2017-02-01 01:00", "D"))', '1'],
      ['@(datetime_diff("2017-01-17 10:50", "2017-01-17 12:30", "m"))', '100'],
      ['@(format_datetime("2017-01-15T09:05:03.123456Z", "EEE, D MMM YY h:mm:ss.fff AA ZZZ"))', 'Sun, 15 Jan 17 4:05:03.123 AM -05:00'],
      ['@(format_date("2019-01-01", "Q"))', 'ERROR'],
      ['@(parse_datetime("23/06/1977 3:34 PM", "DD/MM/YYYY h:mm AA"))', '1977-06-23T15:34:00.000000-05:00'],
      ['@(parse_time("9:05:03.25", "t:mm:ss"))', '09:05:03.250000'],
      ['@(time(24))', '00:00:00.000000'],
      ['@(epoch(datetime_from_epoch(1.5)))', '1.5'],
      ['@(tz(now()))', 'America/Guayaquil'],
      ['@(week_number("2019-12-31"))', '53'],
    ]);
    check(mdy, [
      ['@(date("01/02/2020"))', '2020-01-02'],
      ['@(format(datetime("2020-01-02T20:00:00Z")))', '01-02-2020 12:00 pm'],
    ]);
  });
});

describe('arrays, objects and JSON', () => {
  test('higher-order functions and JSON', () => {
    check(dmy, [
      ['@(sort(array("b", "A", "a")))', '[A, a, b]'],
      ['@(sort(array(1, "a")))', 'ERROR'],
      ['@(filter(array(1, 2, 3, 4), (x) => mod(x, 2) = 0))', '[2, 4]'],
      ['@(foreach(array(1, 2), (x, y) => x))', 'ERROR'],
      ['@(keys(object("b", 1, "A", 2)))', '[A, b]'],
      ['@(json(object("t", datetime("2020-01-01T00:00:00Z"), "f", upper, "n", 1.50)))', '{"f":null,"n":1.5,"t":"2020-01-01T00:00:00.000000Z"}'],
      ['@(parse_json("{\\"a\\": [1, {\\"b\\": null}]}").a[1].b)', ''],
      ['@(parse_json("{\\"a\\": 1,}"))', 'ERROR'],
      ['@(format(array(1000, "x", date_from_parts(2020, 1, 2))))', '1,000, x, 02-01-2020'],
      ['@(extract_object(object("a", 1, "b", 2, "c", 3), "a", "c"))', '{a: 1, c: 3}'],
      ['@(urn_parts("whatsapp:250788123123?x=1#Bob"))', '{display: Bob, path: 250788123123, scheme: whatsapp}'],
      ['@(attachment_parts("https://x.com/a.jpg").url)', 'https://x.com/a.jpg'],
      ['@(legacy_add("2020-01-30", 3))', '2020-02-02T00:00:00.000000-05:00'],
      ['@(read_chars("+25078812"))', '2 5 0 7 , 8 8 1 2'],
    ]);
  });
});

describe('router tests', () => {
  test('text, number, date and location tests', () => {
    const env = defaultEnvironment({
      ...dmy,
      defaultCountry: 'RW',
      inputCollation: 'default',
      locations: { name: 'Rwanda', children: [{ name: 'Kigali City', aliases: ['Kigali'], children: [{ name: 'Gasabo', children: [{ name: 'Gisozi' }] }] }] },
    });
    check(env, [
      ['@(has_phrase("brown brown fox", "brown fox"))', 'false'],
      ['@(has_any_word("I want 🍕 now", "🍕 🍔").match)', '🍕'],
      ['@(has_beginning("Yes please", "yes").match)', 'Yes'],
      ['@(has_pattern("call 0788", "(?-i)CALL"))', 'false'],
      ['@(has_pattern("abc", "[").match)', 'ERROR'],
      ['@(has_number("+12 or 1,5").match)', '15'],
      ['@(has_number_between("age 17", "x", 20))', 'ERROR'],
      ['@(has_date_gt("due 5.1.2018 at 10am", "2018-01-04").match)', '2018-01-05T10:00:00.000000-05:00'],
      ['@(has_time("at 7pm").match)', '19:00:00.000000'],
      ['@(has_phone("call 0788 123 123").match)', '+250788123123'],
      ['@(has_email("x <a.b+c@d.co.rw>!").match)', 'a.b+c@d.co.rw'],
      ['@(has_ward("gisozi please").match)', 'Rwanda > Kigali City > Gasabo > Gisozi'],
      ['@(has_district("Gasabo", "kigali").match)', 'Rwanda > Kigali City > Gasabo'],
      ['@(has_category(object("name", "Q", "value", "x", "category", "Yes"), "No", "Yes").match)', 'Yes'],
      ['@(has_intent(object(), "x", 0.5))', 'false'],
    ]);
    const arabic = defaultEnvironment({ inputCollation: 'arabic_variants' });
    check(arabic, [['@(has_any_word("كتاب", "کتاب"))', 'true']]);
    check(defaultEnvironment(), [['@(has_any_word("كتاب", "کتاب"))', 'false'], ['@(has_state("Kigali"))', 'ERROR']]);
  });
});
