import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { forEachDatabase } from '../../testing/databases.ts';
import { ApiClient, makeWorkspace, type TestWorkspace } from '../../testing/api.ts';
import { makeMessagingApp, waitUntil, makeContact } from '../../testing/msgs.ts';
import { updateWorkspace } from '../../models/workspaces.ts';
import { MAX_UPLOAD_SIZE, cleanFilename } from '../../models/media.ts';
import { tooLargeMessage } from './media.ts';

const ENDPOINT = '/api/v2/media.json';

interface Part { name: string; filename?: string; type?: string; data: Buffer | string }

/** A multipart/form-data body, built by hand so each test controls every header of every part. */
function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----rpts${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Every file under a folder, as paths relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

test('upload limit message is Python float MiB, as RapidPro formats it', () => {
  assert.equal(tooLargeMessage(MAX_UPLOAD_SIZE), 'Limit for file uploads is 25.0 MB.');
  assert.equal(tooLargeMessage(1024), 'Limit for file uploads is 0.0009765625 MB.');
});

test('stored filenames are cleaned as RapidPro cleans them', () => {
  assert.equal(cleanFilename('steve marten.jpg', 'image/jpeg'), 'steve marten.jpg');
  assert.equal(cleanFilename('../../etc/pass wd!.png', 'image/png'), 'etcpass wd.png');
  assert.equal(cleanFilename('Ñandú [1] (b)#.gif', 'image/gif'), 'Ñandú [1] (b).gif');
  assert.equal(cleanFilename('noext', 'image/png'), 'noext.png');
  assert.equal(cleanFilename('weird.j-g', 'image/jpeg'), 'weird.jpg');
  assert.equal(cleanFilename('.bashrc', 'application/pdf'), 'bashrc.pdf');
  assert.equal(cleanFilename('!!!.pdf', 'application/pdf'), 'file.pdf');
  assert.equal(cleanFilename('x', 'audio/x-unknown'), 'x.bin');
});

forEachDatabase('media endpoint', (db) => {
  let m: Awaited<ReturnType<typeof makeMessagingApp>>;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  let api: ApiClient;
  let otherApi: ApiClient;
  let root: string;
  const previousDir = process.env.RAPIDPRO_MEDIA_DIR;

  before(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'rpts-media-'));
    // the server takes its storage from the environment, as `serve` does
    process.env.RAPIDPRO_MEDIA_DIR = root;
    m = await makeMessagingApp(db());
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
    api = new ApiClient(m.app, ws.admin.token);
    otherApi = new ApiClient(m.app, other.admin.token);
  });
  after(async () => {
    await m?.close();
    if (previousDir === undefined) delete process.env.RAPIDPRO_MEDIA_DIR;
    else process.env.RAPIDPRO_MEDIA_DIR = previousDir;
    rmSync(root, { recursive: true, force: true });
  });

  const upload = (client: ApiClient, parts: Part[], url = ENDPOINT) => {
    const { payload, headers } = multipart(parts);
    return client.app.inject({ method: 'POST', url, headers: { authorization: `Token ${client.token}`, ...headers }, payload });
  };
  const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(7457)]);

  test('an upload is stored, answered as RapidPro does, and served back byte for byte', async () => {
    const bytes = jpeg();
    const res = await upload(api, [{ name: 'file', filename: 'steve marten.jpg', type: 'image/jpeg', data: bytes }]);
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.deepEqual(Object.keys(body), ['uuid', 'content_type', 'url', 'filename', 'size']);
    assert.match(body.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(body.content_type, 'image/jpeg');
    assert.equal(body.filename, 'steve marten.jpg');
    assert.equal(body.size, 7461);
    assert.equal(body.url, `http://localhost:80/media/${ws.workspace.uuid}/${body.uuid}/steve%20marten.jpg`);
    assert.equal(res.headers['x-temba-workspace'], ws.workspace.uuid);
    assert.deepEqual(readFileSync(path.join(root, ws.workspace.uuid, body.uuid, 'steve marten.jpg')), bytes);

    // served without credentials (providers fetch attachment URLs), with the stored type
    const served = await m.app.inject({ method: 'GET', url: new URL(body.url).pathname });
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/jpeg');
    assert.equal(served.headers['content-length'], '7461');
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
    assert.deepEqual(served.rawPayload, bytes);

    // the URL names the workspace: the same media under another workspace, name or UUID is unknown
    for (const url of [
      `/media/${other.workspace.uuid}/${body.uuid}/steve%20marten.jpg`,
      `/media/${ws.workspace.uuid}/${body.uuid}/other.jpg`,
      `/media/${ws.workspace.uuid}/${randomUUID()}/steve%20marten.jpg`,
      `/media/${ws.workspace.uuid}/not-a-uuid/steve%20marten.jpg`,
      `/media/${ws.workspace.uuid}/${body.uuid}/..%2F..%2Fx`,
    ]) {
      const r = await m.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 404, url);
      assert.deepEqual(r.json(), { detail: 'Not found.' });
    }
  });

  test('upload checks and their messages', async () => {
    const before = filesUnder(root);
    const post = (payload: string | undefined, headers: Record<string, string>) =>
      m.app.inject({ method: 'POST', url: ENDPOINT, headers: { authorization: `Token ${ws.admin.token}`, ...headers }, payload });
    const fileErr = (message: string) => ({ file: [message] });

    const cases: [string, Promise<any>, number, unknown][] = [
      ['no body', post(undefined, {}), 400, fileErr('No file was submitted.')],
      ['empty form', post('', { 'content-type': 'application/x-www-form-urlencoded' }), 400, fileErr('No file was submitted.')],
      ['form field', post('file=abc', { 'content-type': 'application/x-www-form-urlencoded' }), 400, fileErr('The submitted data was not a file. Check the encoding type on the form.')],
      ['JSON', post('{"file": "x"}', { 'content-type': 'application/json' }), 415, { detail: 'Unsupported media type "application/json" in request.' }],
      ['text', post('x', { 'content-type': 'text/plain' }), 415, { detail: 'Unsupported media type "text/plain" in request.' }],
      ['other part', upload(api, [{ name: 'image', filename: 'a.jpg', type: 'image/jpeg', data: jpeg() }]), 400, fileErr('No file was submitted.')],
      ['no filename', upload(api, [{ name: 'file', filename: '', type: 'image/jpeg', data: jpeg() }]), 400, fileErr('No file was submitted.')],
      ['plain part', upload(api, [{ name: 'file', data: 'abc' }]), 400, fileErr('The submitted data was not a file. Check the encoding type on the form.')],
      ['spreadsheet', upload(api, [{ name: 'file', filename: 'simple.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', data: randomBytes(100) }]), 400, fileErr('Unsupported file type.')],
      ['svg', upload(api, [{ name: 'file', filename: 'a.svg', type: 'image/svg+xml', data: '<svg/>' }]), 400, fileErr('Unsupported file type.')],
      ['no part type', upload(api, [{ name: 'file', filename: 'a.jpg', data: jpeg() }]), 400, fileErr('Unsupported file type.')],
      ['empty', upload(api, [{ name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: Buffer.alloc(0) }]), 400, fileErr('The submitted file is empty.')],
      ['empty and unsupported', upload(api, [{ name: 'file', filename: 'a.txt', type: 'text/plain', data: Buffer.alloc(0) }]), 400, fileErr('The submitted file is empty.')],
      ['too large', upload(api, [{ name: 'file', filename: 'big.mp4', type: 'video/mp4', data: Buffer.alloc(MAX_UPLOAD_SIZE + 1, 1) }]), 400, fileErr('Limit for file uploads is 25.0 MB.')],
      ['too large and unsupported', upload(api, [{ name: 'file', filename: 'big.zip', type: 'application/zip', data: Buffer.alloc(MAX_UPLOAD_SIZE + 1, 1) }]), 400, fileErr('Unsupported file type.')],
      ['no boundary', post('x', { 'content-type': 'multipart/form-data' }), 400, { detail: 'Multipart form parse error - Multipart: Boundary not found' }],
    ];
    for (const [what, res, status, expected] of cases) {
      const r = await res;
      assert.equal(r.statusCode, status, `${what}: ${r.body}`);
      assert.deepEqual(r.json(), expected, what);
    }
    assert.deepEqual(filesUnder(root), before, 'nothing is left in storage by a refused upload');

    // listed in the root, documented without the suffix
    assert.equal((await m.app.inject({ method: 'GET', url: '/api/v2/.json' })).json().media, 'http://localhost:80/api/v2/media');
    assert.equal((await m.app.inject({ method: 'GET', url: '/api/v2/media' })).statusCode, 200);
    // methods, credentials, workspace state
    assert.equal((await api.get(ENDPOINT)).statusCode, 405);
    assert.equal((await api.delete(ENDPOINT)).statusCode, 405);
    const anon = await m.app.inject({ method: 'POST', url: ENDPOINT, ...multipart([{ name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: jpeg() }]) });
    assert.equal(anon.statusCode, 403);
    assert.deepEqual(anon.json(), { detail: 'Authentication credentials were not provided.' });
    const suspended = await makeWorkspace(db().db);
    await updateWorkspace(db().db, suspended.workspace.id, { isSuspended: true });
    const s = await upload(new ApiClient(m.app, suspended.admin.token), [{ name: 'file', filename: 'a.jpg', type: 'image/jpeg', data: jpeg() }]);
    assert.equal(s.statusCode, 400);
    assert.deepEqual(s.json(), { non_field_errors: ['Sorry, your workspace is currently suspended. To re-enable starting flows and sending messages, please contact support.'] });
    assert.deepEqual(filesUnder(root), before);
  });

  test('the largest accepted upload is exactly the limit; an editor may upload', async () => {
    const res = await upload(api.as(ws.editor.token), [{ name: 'file', filename: 'clip.mp4', type: 'video/mp4', data: Buffer.alloc(MAX_UPLOAD_SIZE, 7) }]);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().size, MAX_UPLOAD_SIZE);
    const served = await m.app.inject({ method: 'GET', url: new URL(res.json().url).pathname });
    assert.equal(served.rawPayload.length, MAX_UPLOAD_SIZE);
    assert.equal(served.headers['content-type'], 'video/mp4');
  });

  test('names, types, several parts and the lookup quirk', async () => {
    // .m4a is relabelled audio/mp4; a name without extension gets one from its type
    const m4a = (await upload(api, [{ name: 'file', filename: 'voice note.m4a', type: 'audio/x-m4a', data: randomBytes(50) }])).json();
    assert.equal(m4a.content_type, 'audio/mp4');
    assert.equal(m4a.filename, 'voice note.m4a');
    const pdf = (await upload(api, [{ name: 'file', filename: 'C:\\Users\\me\\report', type: 'Application/PDF', data: '%PDF-1.4' }])).json();
    assert.equal(pdf.filename, 'report.pdf');
    assert.equal(pdf.content_type, 'application/pdf');

    // as Django: the last file part under the name wins, over plain fields too; the others are not kept
    const before = filesUnder(root);
    const last = randomBytes(30);
    const res = await upload(api, [
      { name: 'file', filename: 'first.png', type: 'image/png', data: randomBytes(20) },
      { name: 'file', data: 'plain' },
      { name: 'other', filename: 'x.png', type: 'image/png', data: randomBytes(10) },
      { name: 'file', filename: 'second.gif', type: 'image/gif', data: last },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const b = res.json();
    assert.equal(b.filename, 'second.gif');
    assert.equal(b.size, 30);
    assert.deepEqual(filesUnder(root), [...before, `${ws.workspace.uuid}/${b.uuid}/second.gif`].sort());

    // a `?uuid=` lookup must find the workspace's media (404 otherwise), then a new upload is made with 200
    const again = await upload(api, [{ name: 'file', filename: 'a.png', type: 'image/png', data: randomBytes(5) }], `${ENDPOINT}?uuid=${b.uuid}`);
    assert.equal(again.statusCode, 200);
    assert.notEqual(again.json().uuid, b.uuid);
    assert.equal((await upload(otherApi, [{ name: 'file', filename: 'a.png', type: 'image/png', data: randomBytes(5) }], `${ENDPOINT}?uuid=${b.uuid}`)).statusCode, 404);
    const bad = await upload(api, [{ name: 'file', filename: 'a.png', type: 'image/png', data: randomBytes(5) }], `${ENDPOINT}?uuid=xyz`);
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json(), { detail: "Param 'uuid': xyz is not a valid UUID." });
  });

  test('messages and broadcasts resolve media references to the workspace media; other workspaces cannot use them', async () => {
    const img = (await upload(api, [{ name: 'file', filename: 'photo.png', type: 'image/png', data: randomBytes(64) }])).json();
    const attachment = `image/png:${img.url}`;
    const frank = await makeContact(db().db, ws.workspace.id, { name: 'Frank', urn: 'tel:+250788123123' });

    // by UUID (any case), or by a type:url string that names it: stored as the media's own type and URL
    for (const ref of [img.uuid, img.uuid.toUpperCase(), `image/jpeg:https://elsewhere.example.com/x/${img.uuid}.png`]) {
      const res = await api.post('/api/v2/messages.json', { contact: frank.uuid, attachments: [ref] });
      assert.equal(res.statusCode, 201, res.body);
      assert.deepEqual(res.json().attachments, [{ content_type: 'image/png', url: img.url }]);
      assert.equal(res.json().media, attachment);
    }

    // another workspace: the same references are unknown objects
    const otherFrank = await makeContact(db().db, other.workspace.id, { name: 'Frank', urn: 'tel:+250788123123' });
    const refused = await otherApi.post('/api/v2/messages.json', { contact: otherFrank.uuid, attachments: [img.uuid] });
    assert.equal(refused.statusCode, 400);
    assert.deepEqual(refused.json(), { attachments: [`No such object: ${img.uuid}`] });
    const byUrl = await otherApi.post('/api/v2/messages.json', { contact: otherFrank.uuid, attachments: [attachment] });
    assert.deepEqual(byUrl.json(), { attachments: [`No such object: ${attachment}`] });
    const unknown = randomUUID();
    assert.deepEqual((await api.post('/api/v2/messages.json', { contact: frank.uuid, attachments: [unknown] })).json(), { attachments: [`No such object: ${unknown}`] });
    const otherBroadcast = await otherApi.post('/api/v2/broadcasts.json', { contacts: [otherFrank.uuid], text: 'hi', attachments: [img.uuid] });
    assert.equal(otherBroadcast.statusCode, 400);
    assert.deepEqual(otherBroadcast.json(), { attachments: { eng: [`No such object: ${img.uuid}`] } });

    // a broadcast: its translations carry the resolved attachment, and so does every message it creates
    const ann = await makeContact(db().db, ws.workspace.id, { name: 'Ann', urn: 'tel:+250788222222' });
    const res = await api.post('/api/v2/broadcasts.json', { contacts: [frank.uuid, ann.uuid], text: { eng: 'See this', kin: 'Reba' }, attachments: { eng: [img.uuid], kin: [attachment] } });
    assert.equal(res.statusCode, 201, res.body);
    const b = res.json();
    assert.deepEqual(b.attachments, { eng: [attachment], kin: [attachment] });
    const byBroadcast = async () => (await api.get(`/api/v2/messages.json?broadcast=${b.id}`)).json().results;
    await waitUntil(async () => (await byBroadcast()).length === 2, 20_000, 'two broadcast messages');
    for (const msg of await byBroadcast()) {
      assert.deepEqual(msg.attachments, [{ content_type: 'image/png', url: img.url }]);
      assert.equal(msg.text, 'See this');
    }
    // the other workspace sees none of it
    assert.deepEqual((await otherApi.get(`/api/v2/messages.json?broadcast=${b.id}`)).json().results, []);
  });
});
