import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { anonDisplay, decodeContactRef, encodeContactRef, MAX_CONTACT_REF_ID } from './ref.ts';

describe('contact refs', () => {
  // codes under RapidPro's default key, checked against an independent run of the algorithm
  const known: [number, string][] = [
    [7, 'P35QML'],
    [4242, 'KDPRBP'],
    [1_000_000, 'MSELGP'],
    [123_456_789, 'HMA89X'],
    [1_073_741_900, 'LZYFUL9'],
    [2_000_000_000, 'GCFESCT'],
    [8_765_432_109, 'QYZ3HGE'],
  ];
  for (const [id, code] of known) {
    test(`${id} ↔ ${code}`, () => {
      assert.equal(encodeContactRef(id), code);
      assert.equal(anonDisplay(id), code);
      assert.equal(decodeContactRef(code), id);
      assert.equal(decodeContactRef(code.toLowerCase()), id);
    });
  }

  test('the key changes the codes', () => {
    assert.equal(encodeContactRef(7, [1, 2, 3, 4]), 'RLTJA2');
    assert.equal(decodeContactRef('RLTJA2', [1, 2, 3, 4]), 7);
  });

  test('6 characters below 32^6, 7 from there, all from the reading-safe alphabet', () => {
    for (const id of [1, 2, 3, 32 ** 6 - 1, 32 ** 6, 32 ** 6 + 1, MAX_CONTACT_REF_ID]) {
      const code = encodeContactRef(id);
      assert.match(code, id < 32 ** 6 ? /^[A-HJ-NP-Z2-9]{6}$/ : /^[A-HJ-NP-Z2-9]{7}$/);
      assert.equal(decodeContactRef(code), id);
    }
  });

  test('distinct ids give distinct codes', () => {
    const codes = new Set<string>();
    for (let id = 1; id <= 5000; id++) codes.add(encodeContactRef(id));
    assert.equal(codes.size, 5000);
  });

  test('ids out of range are refused, malformed codes decode to null', () => {
    for (const id of [0, -1, 1.5, MAX_CONTACT_REF_ID + 1]) assert.throws(() => encodeContactRef(id), RangeError);
    for (const code of ['P35QM', 'P35QMLXX', 'P35QM0', 'P35QMI', '']) assert.equal(decodeContactRef(code), null);
  });
});
