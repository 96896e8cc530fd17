import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SKIP_MESSAGE, conformanceDirIfPresent } from '../../../conformance/harness.ts';
import { rewriteTemplates, templateCatalog } from './templates.ts';
import type { JSONObject } from './primitives.ts';

test('every template of a flow and its translations is rewritten', (t) => {
  const dir = conformanceDirIfPresent();
  if (!dir) return t.skip(SKIP_MESSAGE);
  const read = (f: string) => JSON.parse(readFileSync(path.join(dir, 'goflow/flows/migrations', f), 'utf8')) as JSONObject;
  const flow = read('templates1.json');
  // the flow only holds send_msg and switch router templates, located alike in every catalog
  rewriteTemplates(flow, templateCatalog('13.6.0'), (s) => s.toUpperCase());
  assert.deepEqual(flow, read('templates1.upper.json'));
});

test('templates of unknown action types and non-template properties are left alone', () => {
  const flow: JSONObject = {
    nodes: [{ actions: [
      { uuid: 'a', type: 'mystery', text: 'hi' },
      { uuid: 'b', type: 'call_webhook', url: 'u', headers: { A: 'x', B: 'y' }, method: 'get' },
    ] }],
    localization: { spa: { b: { url: ['v'] } } },
  };
  rewriteTemplates(flow, templateCatalog('13.2.0'), (s) => s.toUpperCase());
  assert.deepEqual(flow.nodes, [{ actions: [
    { uuid: 'a', type: 'mystery', text: 'hi' },
    { uuid: 'b', type: 'call_webhook', url: 'U', headers: { A: 'X', B: 'Y' }, method: 'get' },
  ] }]);
  assert.deepEqual(flow.localization, { spa: { b: { url: ['V'] } } });
  assert.throws(() => templateCatalog('12.0.0'), /no template catalog/);
});
