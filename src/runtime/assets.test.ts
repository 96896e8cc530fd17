import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { forEachDatabase } from '../testing/databases.ts';
import { createWorkspace, type Workspace } from '../models/workspaces.ts';
import { createContact } from '../models/contacts.ts';
import { toUrn } from '../models/urns.ts';
import { saveFlow } from '../models/flows.ts';
import { createOrUpdateGlobal, updateGlobalValue } from '../models/globals.ts';
import { startFlow } from './runner.ts';
import { workspaceAssetsCached } from './assets.ts';
import type { MessageSink } from './events.ts';

/** One message quoting a global, then a wait (so the text shows which flow revision ran). */
function greeting(uuid: string, text: string) {
  const n = () => randomUUID();
  const wait = n();
  const all = { uuid: n(), name: 'All Responses', exit_uuid: n() };
  return {
    uuid, name: 'Greeting', spec_version: '14.4.2', language: 'eng', type: 'messaging', expire_after_minutes: 60, localization: {},
    nodes: [
      { uuid: n(), actions: [{ uuid: n(), type: 'send_msg', text }], exits: [{ uuid: n(), destination_uuid: wait }] },
      { uuid: wait, actions: [], router: { type: 'switch', operand: '@input.text', result_name: 'Reply', default_category_uuid: all.uuid, wait: { type: 'msg' }, cases: [], categories: [all] }, exits: [{ uuid: all.exit_uuid }] },
    ],
  };
}

forEachDatabase('runtime: workspace assets cached between sprints', (db) => {
  let ws: Workspace;
  let other: Workspace;
  const sent: { contactId: number; text: string }[] = [];
  const sink: MessageSink = {
    async queueFlowMessages(_tx, _ws, contactId, events) {
      for (const e of events) if (e.type === 'msg_created') sent.push({ contactId, text: e.msg.text });
    },
  };
  const flowUuid = randomUUID();
  let phone = 0;
  const startOne = async () => {
    const c = await db().db.transaction().execute((tx) => createContact(tx, ws, null, { urns: [toUrn(`tel:+25078811${String(++phone).padStart(4, '0')}`)] }));
    await startFlow({ db: db().db, sink }, ws, flowUuid, [c.id]);
    return sent.filter((s) => s.contactId === c.id).map((s) => s.text);
  };

  before(async () => {
    ws = await createWorkspace(db().db, { name: 'Cache', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
    other = await createWorkspace(db().db, { name: 'Other', country: 'RW', timezone: 'Africa/Kigali', languages: ['eng'] });
    await createOrUpdateGlobal(db().db, ws.id, 'org_name', 'Org Name', 'Acme');
    await db().db.transaction().execute((tx) => saveFlow(tx, ws.id, greeting(flowUuid, 'v1 from @globals.org_name')));
  });

  test('unchanged assets are reused, not read again', async () => {
    assert.deepEqual(await startOne(), ['v1 from Acme']);
    const a = await workspaceAssetsCached(db().db, ws.id);
    const b = await workspaceAssetsCached(db().db, ws.id);
    assert.equal(a, b);
    // writes that are not assets (a channel seen, another workspace's global) keep the cache
    await createOrUpdateGlobal(db().db, other.id, 'org_name', 'Org Name', 'Elsewhere');
    await db().db.insertInto('contacts').values({ uuid: randomUUID(), org_id: ws.id, name: 'Not an asset' }).execute();
    assert.equal(await workspaceAssetsCached(db().db, ws.id), a);
    // the other workspace sees only its own global
    const theirs = await workspaceAssetsCached(db().db, other.id);
    assert.deepEqual(theirs.assets.globals.map((g) => g.value), ['Elsewhere']);
  });

  test('a changed flow and a changed global are seen once the cache was warm', async () => {
    assert.deepEqual(await startOne(), ['v1 from Acme']);
    await db().db.transaction().execute((tx) => saveFlow(tx, ws.id, greeting(flowUuid, 'v2 from @globals.org_name')));
    assert.deepEqual(await startOne(), ['v2 from Acme']);
    const global = await db().db.selectFrom('globals').select('id').where('org_id', '=', ws.id).where('key', '=', 'org_name').executeTakeFirstOrThrow();
    await updateGlobalValue(db().db, ws.id, global.id, 'Acme Ltd');
    assert.deepEqual(await startOne(), ['v2 from Acme Ltd']);
  });

  test('a change made by another process, bypassing every model, is seen', async () => {
    assert.deepEqual(await startOne(), ['v2 from Acme Ltd']);
    // as another server or worker process would: its own connection (PGlite: through its socket),
    // plain SQL, modified_on left alone
    const o = (db().pool as unknown as { options: pg.ClientConfig }).options;
    const client = new pg.Client({ connectionString: o.connectionString, host: o.host, port: o.port, user: o.user, database: o.database });
    await client.connect();
    try {
      await client.query(`UPDATE globals SET value = 'Other Process' WHERE org_id = $1 AND key = 'org_name'`, [ws.id]);
    } finally {
      await client.end();
    }
    assert.deepEqual(await startOne(), ['v2 from Other Process']);
  });

  test('a change rolled back leaves the cached assets in use', async () => {
    const before = await workspaceAssetsCached(db().db, ws.id);
    await assert.rejects(db().db.transaction().execute(async (tx) => {
      await saveFlow(tx, ws.id, greeting(flowUuid, 'never committed'));
      // the trigger gave the workspace a new version, seen only inside the transaction
      assert.notEqual((await workspaceAssetsCached(tx, ws.id)).version, before.version);
      throw new Error('rollback');
    }), /rollback/);
    assert.equal(await workspaceAssetsCached(db().db, ws.id), before);
    assert.deepEqual(await startOne(), ['v2 from Other Process']);
  });
});
