import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { urnsContext } from './context.ts';
import { ENGINE_SCHEMES } from './schemes.ts';

describe('urnsContext (@urns)', () => {
  const urns = ['tel:+254711000111?channel=c1', 'mailto:ann@x.org', 'tel:+254711000222', 'twitterid:77#ann'];

  test('first URN of each scheme, without channel, nulls for the rest', () => {
    const ctx = urnsContext(urns);
    assert.equal(ctx.tel, 'tel:+254711000111');
    assert.equal(ctx.mailto, 'mailto:ann@x.org');
    assert.equal(ctx.twitterid, 'twitterid:77#ann');
    assert.equal(ctx.bsuid, null);
    assert.deepEqual(Object.keys(ctx).sort(), [...ENGINE_SCHEMES].sort());
  });

  test('redacted', () => {
    const ctx = urnsContext(urns, { redact: true });
    assert.equal(ctx.tel, 'tel:********');
    assert.equal(ctx.twitterid, 'twitterid:********');
    assert.equal(ctx.whatsapp, null);
  });

  test('a scheme the engine does not know keeps its key', () => {
    assert.equal(urnsContext(['discord:42']).discord, 'discord:42');
  });
});
