import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createServer, type AddressInfo } from 'node:net';
import { serverAdminUrl } from '../testing/databases.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/rapidpro-ts.js');

function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

let dataDir: string;
let server: ChildProcess | undefined;
let output = '';
const port = 20000 + Math.floor(Math.random() * 20000);

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'rpts-cli-'));
  server = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, RAPIDPRO_DATA_DIR: dataDir, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (b) => (output += b));
  server.stderr!.on('data', (b) => (output += b));
  const deadline = Date.now() + 60_000;
  while (!/curl -H/.test(output)) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(() => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

test('first start prints a working token and curl line', async () => {
  const token = /API token \(shown once, stored hashed\): ([2-9A-HJ-NP-Z]{40})/.exec(output)?.[1];
  assert.ok(token, output);
  const res = await fetch(`http://127.0.0.1:${port}/api/v2/workspace.json`, { headers: { authorization: `Token ${token}` } });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).name, 'My Workspace');
});

test('admin commands work through the running server and print one JSON object', async () => {
  const env = { RAPIDPRO_DATA_DIR: dataDir };
  const ws = cli(env, 'workspace', 'create', '--name', 'Kigali', '--country', 'rw', '--timezone', 'Africa/Kigali', '--languages', 'eng,kin', '--date-style', 'month_first');
  assert.equal(ws.code, 0, ws.stderr);
  const created = JSON.parse(ws.stdout);
  assert.equal(created.country, 'RW');
  assert.deepEqual(created.languages, ['eng', 'kin']);
  assert.equal(created.date_style, 'month_first');
  const user = cli(env, 'user', 'create', '--workspace', created.uuid, '--email', 'Ed@Example.com', '--role', 'editor', '--first-name', 'Ed');
  assert.equal(user.code, 0, user.stderr);
  const tok = cli(env, 'token', 'create', '--workspace', created.uuid, '--email', 'ed@example.com');
  assert.equal(tok.code, 0, tok.stderr);
  const { token } = JSON.parse(tok.stdout);
  const res = await fetch(`http://127.0.0.1:${port}/api/v2/workspace.json`, { headers: { authorization: `Token ${token}` } });
  assert.equal((await res.json()).uuid, created.uuid);
  const ch = cli(env, 'channel', 'create', '--workspace', created.uuid, '--type', 'TG', '--name', 'Bot', '--address', 'bot', '--config', '{"auth_token":"x"}');
  assert.equal(ch.code, 0, ch.stderr);
  assert.deepEqual(JSON.parse(ch.stdout).schemes, ['telegram']);
  // agents cannot hold tokens
  cli(env, 'user', 'create', '--workspace', created.uuid, '--email', 'agent@example.com', '--role', 'agent');
  const agentTok = cli(env, 'token', 'create', '--workspace', created.uuid, '--email', 'agent@example.com');
  assert.notEqual(agentTok.code, 0);
  assert.match(agentTok.stderr, /^rapidpro-ts: only administrators and editors/);
});

test('import reads a RapidPro export; group create makes manual and smart groups', async () => {
  const env = { RAPIDPRO_DATA_DIR: dataDir };
  const ws = JSON.parse(cli(env, 'workspace', 'create', '--name', 'Imports', '--country', 'RW').stdout);
  const flowUuid = '0c1e6b1a-3f7b-4b8e-9a51-6d9f2f3e4a01';
  const doc = {
    version: '13', site: 'https://example.org',
    flows: [{ uuid: flowUuid, name: 'Hello', spec_version: '13.0.0', language: 'eng', type: 'messaging', nodes: [] }],
    fields: [{ key: 'age', name: 'Age', type: 'number' }],
    groups: [{ uuid: '6f3a1b2c-4d5e-4f60-8a7b-9c0d1e2f3a04', name: 'Adults', query: 'age >= 18' }, { uuid: '6f3a1b2c-4d5e-4f60-8a7b-9c0d1e2f3a05', name: 'Staff', query: null }],
    campaigns: [], triggers: [],
  };
  const file = path.join(dataDir, 'export.json');
  writeFileSync(file, JSON.stringify(doc));
  const r = cli(env, 'import', '--workspace', ws.uuid, file);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual(summary.flows.map((f: any) => [f.uuid, f.created]), [[flowUuid, true]]);
  assert.deepEqual(summary.fields, [{ key: 'age', created: true }]);
  assert.deepEqual(summary.groups.map((g: any) => g.name).sort(), ['Adults', 'Staff']);
  // importing again updates instead of duplicating
  assert.deepEqual(JSON.parse(cli(env, 'import', '--workspace', ws.uuid, file).stdout).flows.map((f: any) => f.created), [false]);
  const manual = cli(env, 'group', 'create', '--workspace', ws.uuid, '--name', 'Volunteers');
  assert.equal(JSON.parse(manual.stdout).status, 'ready');
  const smart = cli(env, 'group', 'create', '--workspace', ws.uuid, '--name', 'Teens', '--query', 'age < 18');
  assert.equal(smart.code, 0, smart.stderr);
  assert.equal(JSON.parse(smart.stdout).query, 'fields.age < 18');
  const bad = cli(env, 'group', 'create', '--workspace', ws.uuid, '--name', 'Broken', '--query', 'age > abc');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /^rapidpro-ts: /);
  const missing = cli(env, 'import', '--workspace', ws.uuid, path.join(dataDir, 'nope.json'));
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /^rapidpro-ts: cannot read/);
});

test('bad arguments exit non-zero with one line, no stack trace', () => {
  const env = { RAPIDPRO_DATA_DIR: dataDir };
  for (const args of [
    ['workspace', 'create'],
    ['workspace', 'create', '--name', 'X', '--timezone', 'Mars/Base'],
    ['workspace', 'create', '--name', 'X', '--bogus', '1'],
    ['user', 'create', '--workspace', 'not-a-uuid', '--email', 'a@b.co', '--role', 'editor'],
    ['channel', 'create', '--workspace', '00000000-0000-4000-8000-000000000000', '--type', 'TG', '--name', 'n', '--address', 'a'],
    ['frobnicate'],
  ]) {
    const r = cli(env, ...args);
    assert.notEqual(r.code, 0, args.join(' '));
    assert.equal(r.stderr.split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^rapidpro-ts: /);
    assert.equal(r.stdout, '');
  }
});

test('after the server stops, commands open the folder themselves; migrate reports', async () => {
  server!.kill('SIGTERM');
  await new Promise((r) => server!.once('exit', r));
  assert.ok(!existsSync(path.join(dataDir, 'rapidpro.lock')), 'lock released on clean stop');
  const r = cli({ RAPIDPRO_DATA_DIR: dataDir }, 'migrate');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { applied: [] });
});

test('admin commands work against a PostgreSQL server too', async (t) => {
  const admin = new pg.Client({ connectionString: serverAdminUrl(), connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    if (process.env.CI === 'true') throw new Error('CI=true but no PostgreSQL server');
    t.skip('PostgreSQL server not reachable');
    return;
  }
  const name = `rpts_cli_${process.pid}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const u = new URL(serverAdminUrl());
    u.pathname = `/${name}`;
    const r = cli({ DATABASE_URL: u.toString() }, 'workspace', 'create', '--name', 'On Server', '--anon');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).anon, true);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});

test('a server whose port is taken stops at once with one line and a non-zero exit, leaving its folder unlocked', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rpts-cli-taken-'));
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const takenPort = (taken.address() as AddressInfo).port;
  try {
    const t0 = Date.now();
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, RAPIDPRO_DATA_DIR: dir, PORT: String(takenPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout!.on('data', (b) => (out += b));
      p.stderr!.on('data', (b) => (out += b));
      const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /rapidpro-ts: unexpected error: .*EADDRINUSE/);
    assert.ok(!/\n\s+at /.test(r.out), 'no stack trace');
    assert.ok(Date.now() - t0 < 60_000);
    assert.ok(!existsSync(path.join(dir, 'rapidpro.lock')), 'the embedded database was closed');
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('worker starts and stops cleanly', async () => {
  const w = spawn(process.execPath, [BIN, 'worker'], { env: { ...process.env, RAPIDPRO_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  w.stdout!.on('data', (b) => (out += b));
  w.stderr!.on('data', (b) => (out += b));
  const deadline = Date.now() + 120_000;
  while (!/worker started/.test(out)) {
    if (Date.now() > deadline || w.exitCode !== null) {
      w.kill('SIGKILL');
      throw new Error(`worker did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  w.kill('SIGTERM');
  const code = await new Promise((resolve) => {
    const timer = setTimeout(() => {
      w.kill('SIGKILL');
      resolve('killed after 30 s');
    }, 30_000);
    w.once('exit', (c, signal) => {
      clearTimeout(timer);
      resolve(c ?? signal);
    });
  });
  assert.equal(code, 0, out);
  assert.match(out, /stopped/);
  assert.ok(!existsSync(path.join(dataDir, 'rapidpro.lock')));
});
