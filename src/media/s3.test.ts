import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { SignatureV4 } from '@smithy/signature-v4';
import { forEachDatabase } from '../testing/databases.ts';
import { ApiClient, makeWorkspace, type TestWorkspace } from '../testing/api.ts';
import { buildServer } from '../api/server.ts';
import { mediaStorageOf } from './routes.ts';
import { mediaStorageFromEnv } from './config.ts';
import { S3Storage } from './s3.ts';
import { MediaStorageError } from './storage.ts';

const ACCESS_KEY = 'AKIDRAPIDPROTEST';
const SECRET = 'rapidpro/test/secret/key/0123456789abcdef';
const BUCKET = 'rp-media';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const asBytes = (d: SourceData) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));
/** node:crypto as the signer's hash/HMAC interface. */
class NodeSha256 {
  private h;
  constructor(secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', asBytes(secret));
  }
  update(data: SourceData): void {
    this.h.update(asBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>${body}`;
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface StoredObject { body: Buffer; contentType: string | undefined }

/**
 * An S3 server for one bucket, path-style, enough for PutObject, GetObject, HeadObject,
 * DeleteObject and multipart uploads. Every request must carry a valid SigV4 signature for the
 * known key (recomputed here, including the payload hash), or it is refused as S3 refuses it.
 */
class FakeS3 {
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, { key: string; contentType: string | undefined; parts: Map<number, Buffer> }>();
  /** each request as `<status> <METHOD> <operation>` */
  readonly log: string[] = [];
  /** answer every request with this status (a storage outage) */
  failWith: number | null = null;
  /** answer UploadPart requests with 500 from this part number on */
  failPartsFrom: number | null = null;
  private server = http.createServer((req, res) => void this.handle(req, res));
  endpoint = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url!, 'http://x');
    const q = url.searchParams;
    const op = q.has('uploads') ? 'CreateMultipartUpload'
      : q.has('partNumber') ? 'UploadPart'
      : q.has('uploadId') ? (req.method === 'POST' ? 'CompleteMultipartUpload' : 'AbortMultipartUpload')
      : `${req.method}Object`;
    const reply = (status: number, payload?: string | Buffer, headers: Record<string, string> = {}) => {
      this.log.push(`${status} ${req.method} ${op}`);
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : payload);
    };
    const error = (status: number, code: string, message: string) =>
      reply(status, xml(`<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`), { 'content-type': 'application/xml' });

    const authError = await this.checkSignature(req, url, body);
    if (authError) return error(403, authError[0], authError[1]);
    if (this.failWith) return error(this.failWith, 'InternalError', 'We encountered an internal error. Please try again.');

    const [, bucket, ...rest] = url.pathname.split('/');
    if (bucket !== BUCKET) return error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const key = rest.map(decodeURIComponent).join('/');
    const etag = `"${createHash('md5').update(body).digest('hex')}"`;

    if (op === 'CreateMultipartUpload') {
      const id = randomUUID();
      this.uploads.set(id, { key, contentType: req.headers['content-type'], parts: new Map() });
      return reply(200, xml(`<InitiateMultipartUploadResult><Bucket>${BUCKET}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`));
    }
    if (op === 'UploadPart' || op === 'CompleteMultipartUpload' || op === 'AbortMultipartUpload') {
      const id = q.get('uploadId')!;
      const upload = this.uploads.get(id);
      if (!upload || upload.key !== key) return error(404, 'NoSuchUpload', 'The specified upload does not exist.');
      if (op === 'UploadPart') {
        const n = Number(q.get('partNumber'));
        if (this.failPartsFrom !== null && n >= this.failPartsFrom) return error(500, 'InternalError', 'part refused');
        upload.parts.set(n, body);
        return reply(200, '', { etag: `"part${n}"` });
      }
      this.uploads.delete(id);
      if (op === 'AbortMultipartUpload') return reply(204);
      const listed = [...body.toString().matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]));
      if (!listed.length || listed.some((n) => !upload.parts.has(n))) return error(400, 'InvalidPart', 'missing part');
      this.objects.set(key, { body: Buffer.concat(listed.map((n) => upload.parts.get(n)!)), contentType: upload.contentType });
      return reply(200, xml(`<CompleteMultipartUploadResult><Bucket>${BUCKET}</Bucket><Key>${xmlEscape(key)}</Key><ETag>"complete"</ETag></CompleteMultipartUploadResult>`));
    }
    if (req.method === 'PUT') {
      this.objects.set(key, { body, contentType: req.headers['content-type'] });
      return reply(200, '', { etag });
    }
    if (req.method === 'DELETE') {
      this.objects.delete(key);
      return reply(204);
    }
    const obj = this.objects.get(key);
    if (!obj) return error(404, 'NoSuchKey', 'The specified key does not exist.');
    return reply(200, obj.body, { 'content-type': obj.contentType ?? 'binary/octet-stream', 'content-length': String(obj.body.length), etag: `"${createHash('md5').update(obj.body).digest('hex')}"` });
  }

  /** Null when the request is signed with the known key; else S3's error code and message. */
  private async checkSignature(req: http.IncomingMessage, url: URL, body: Buffer): Promise<[string, string] | null> {
    const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
    if (!auth) return ['AccessDenied', 'missing or malformed Authorization'];
    const [, accessKey, day, region, signedHeaders, signature] = auth;
    if (accessKey !== ACCESS_KEY) return ['InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.'];
    const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
    // a signed payload must be the payload received; streaming (chunk-signed) bodies are not expected
    if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== createHash('sha256').update(body).digest('hex')) {
      return ['XAmzContentSHA256Mismatch', `payload hash ${payloadHash}`];
    }
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const date = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate);
    if (!date || !amzDate.startsWith(day)) return ['AccessDenied', 'bad x-amz-date'];
    const headers: Record<string, string> = {};
    for (const name of signedHeaders.split(';')) {
      const v = req.headers[name];
      if (v === undefined) return ['AccessDenied', `signed header ${name} missing`];
      headers[name] = Array.isArray(v) ? v.join(',') : v;
    }
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    const signer = new SignatureV4({
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }, region, service: 's3', sha256: NodeSha256,
      // S3 signs the path as sent, without normalizing or encoding it again
      uriEscapePath: false, applyChecksum: false,
    });
    const signed = await signer.sign(
      { method: req.method!, protocol: 'http:', hostname: '127.0.0.1', path: url.pathname, query, headers },
      { signingDate: new Date(Date.UTC(+date[1], +date[2] - 1, +date[3], +date[4], +date[5], +date[6])) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))![1];
    if (expected !== signature) return ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'];
    return null;
  }
}

const fake = new FakeS3();
before(() => fake.start());
after(() => fake.stop());

const storage = (opts: Partial<ConstructorParameters<typeof S3Storage>[0]> = {}) => new S3Storage({
  bucket: BUCKET, endpoint: fake.endpoint, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET }, maxAttempts: 1, ...opts,
});
const key = () => `${randomUUID()}/${randomUUID()}/steve marten.jpg`;

describe('S3 storage against a signature-checking fake', () => {
  test('put, get, delete; objects carry their type; a missing key is null', async () => {
    const s = storage({ prefix: '/media/' });
    const k = key();
    const bytes = randomBytes(70_000);
    assert.equal(await s.put(k, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]), 'image/jpeg'), bytes.length);
    assert.deepEqual(fake.objects.get(`media/${k}`), { body: bytes, contentType: 'image/jpeg' });
    const got = await s.get(k);
    assert.equal(got?.size, bytes.length);
    assert.deepEqual(Buffer.concat(await got!.body.toArray()), bytes);
    await s.delete(k);
    assert.equal(fake.objects.has(`media/${k}`), false);
    assert.equal(await s.get(k), null);
    s.close();
  });

  test('a wrong secret or unknown key is refused by the server and ends as a storage error; nothing is stored', async () => {
    const before = fake.objects.size;
    for (const credentials of [{ accessKeyId: ACCESS_KEY, secretAccessKey: `${SECRET}x` }, { accessKeyId: 'AKIDOTHER', secretAccessKey: SECRET }]) {
      const s = storage({ credentials });
      fake.log.length = 0;
      const err = await s.put(key(), Readable.from([randomBytes(100)]), 'image/png').catch((e) => e);
      assert.ok(err instanceof MediaStorageError, String(err));
      assert.match(err.message, /HTTP 403 (SignatureDoesNotMatch|InvalidAccessKeyId)/);
      assert.deepEqual(fake.log, ['403 PUT PUTObject']);
      await assert.rejects(s.get(key()), MediaStorageError);
      s.close();
    }
    assert.equal(fake.objects.size, before);
  });

  test('uploads larger than one part go in parts; a failed part aborts the multipart upload', async () => {
    const s = storage();
    const k = key();
    const bytes = randomBytes(12 * 1024 * 1024 + 17);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    fake.log.length = 0;
    assert.equal(await s.put(k, Readable.from(chunks), 'video/mp4'), bytes.length);
    assert.deepEqual(fake.log, ['200 POST CreateMultipartUpload', '200 PUT UploadPart', '200 PUT UploadPart', '200 PUT UploadPart', '200 POST CompleteMultipartUpload']);
    assert.deepEqual(fake.objects.get(k), { body: bytes, contentType: 'video/mp4' });

    fake.failPartsFrom = 2;
    fake.log.length = 0;
    const k2 = key();
    try {
      await assert.rejects(s.put(k2, Readable.from(chunks), 'video/mp4'), MediaStorageError);
    } finally {
      fake.failPartsFrom = null;
    }
    assert.ok(fake.log.includes('500 PUT UploadPart') && fake.log.at(-1) === '204 DELETE AbortMultipartUpload', fake.log.join(', '));
    assert.equal(fake.objects.has(k2), false);
    assert.equal(fake.uploads.size, 0);
    s.close();
  });

  test('an upload stream that fails (client gone) fails the put with its own error and leaves nothing behind', async () => {
    const s = storage();
    const k = key();
    fake.log.length = 0;
    async function* dying() {
      for (let i = 0; i < 100; i++) yield randomBytes(65536); // 6.25 MiB: the first part is already sent
      throw new Error('client went away');
    }
    const err = await s.put(k, Readable.from(dying()), 'video/mp4').catch((e) => e);
    assert.ok(!(err instanceof MediaStorageError) && /client went away/.test(err.message), String(err));
    assert.ok(fake.log.includes('200 PUT UploadPart') && fake.log.at(-1) === '204 DELETE AbortMultipartUpload', fake.log.join(', '));
    assert.equal(fake.objects.has(k), false);
    assert.equal(fake.uploads.size, 0);
    s.close();
  });

  test('public URLs: the configured origin, else the bucket itself (path-style with an endpoint)', () => {
    const k = 'b1f0c2a4-0000-4000-8000-000000000000/5e0a1b2c-0000-4000-8000-000000000000/steve marten.jpg';
    const enc = k.replace(' ', '%20');
    const url = (env: NodeJS.ProcessEnv) => mediaStorageFromEnv({ RAPIDPRO_MEDIA_STORAGE: 's3', RAPIDPRO_MEDIA_S3_BUCKET: 'rp-media', ...env }).url(k, 'http://h:8000');
    assert.equal(url({}), `https://rp-media.s3.us-east-1.amazonaws.com/${enc}`);
    assert.equal(url({ RAPIDPRO_MEDIA_S3_REGION: 'eu-west-1', RAPIDPRO_MEDIA_S3_PREFIX: 'up/loads/' }), `https://rp-media.s3.eu-west-1.amazonaws.com/up/loads/${enc}`);
    assert.equal(url({ RAPIDPRO_MEDIA_S3_BUCKET: 'media.example.org' }), `https://s3.us-east-1.amazonaws.com/media.example.org/${enc}`);
    assert.equal(url({ RAPIDPRO_MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000/' }), `http://127.0.0.1:9000/rp-media/${enc}`);
    assert.equal(url({ RAPIDPRO_MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000', RAPIDPRO_MEDIA_S3_PREFIX: 'm', RAPIDPRO_MEDIA_URL: 'https://cdn.example.com/' }), `https://cdn.example.com/m/${enc}`);
  });
});

interface Part { name: string; filename: string; type: string; data: Buffer }
function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----rpts${randomBytes(8).toString('hex')}`;
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}\r\n\r\n`), p.data, Buffer.from('\r\n'),
  ]);
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

forEachDatabase('media endpoint with S3 storage', (db) => {
  let app: Awaited<ReturnType<typeof buildServer>>;
  let wrongSecretApp: Awaited<ReturnType<typeof buildServer>>;
  let ws: TestWorkspace;
  let other: TestWorkspace;
  const env = {
    RAPIDPRO_MEDIA_STORAGE: 's3', RAPIDPRO_MEDIA_S3_BUCKET: BUCKET, RAPIDPRO_MEDIA_S3_PREFIX: 'uploads',
    RAPIDPRO_MEDIA_URL: 'https://cdn.example.com', AWS_ACCESS_KEY_ID: ACCESS_KEY, AWS_SECRET_ACCESS_KEY: SECRET,
  };
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    // the server takes its storage from the environment, as `serve` does
    for (const [k, v] of Object.entries({ ...env, RAPIDPRO_MEDIA_S3_ENDPOINT: fake.endpoint })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    app = await buildServer({ db: db().db });
    await app.ready();
    wrongSecretApp = await buildServer({ db: db().db, media: storage({ prefix: 'uploads', credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: 'not-the-secret' } }) });
    await wrongSecretApp.ready();
    ws = await makeWorkspace(db().db);
    other = await makeWorkspace(db().db);
  });
  after(async () => {
    await app?.close();
    await wrongSecretApp?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const upload = (on: typeof app, token: string, part: Part) => {
    const { payload, headers } = multipart([part]);
    return on.inject({ method: 'POST', url: '/api/v2/media.json', headers: { authorization: `Token ${token}`, ...headers }, payload });
  };
  const mediaRows = async (orgId: number) => (await db().db.selectFrom('media').select('uuid').where('org_id', '=', orgId).execute()).map((r) => r.uuid);

  test('an upload lands in the bucket under the prefix with its type, is served back identically, with the public URL', async () => {
    assert.equal(mediaStorageOf(app).kind, 's3');
    const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(7457)]);
    const res = await upload(app, ws.admin.token, { name: 'file', filename: 'steve marten.jpg', type: 'image/jpeg', data: bytes });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.size, 7461);
    const key = `${ws.workspace.uuid}/${body.uuid}/steve marten.jpg`;
    assert.equal(body.url, `https://cdn.example.com/uploads/${ws.workspace.uuid}/${body.uuid}/steve%20marten.jpg`);
    assert.deepEqual(fake.objects.get(`uploads/${key}`), { body: bytes, contentType: 'image/jpeg' });
    assert.deepEqual(await mediaRows(ws.workspace.id), [body.uuid]);

    // the server still serves it itself, streamed from the bucket
    const path = `/media/${ws.workspace.uuid}/${body.uuid}/steve%20marten.jpg`;
    const served = await app.inject({ method: 'GET', url: path });
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/jpeg');
    assert.equal(served.headers['content-length'], '7461');
    assert.deepEqual(served.rawPayload, bytes);
    // under another workspace it is unknown, even though the object exists
    const elsewhere = await app.inject({ method: 'GET', url: `/media/${other.workspace.uuid}/${body.uuid}/steve%20marten.jpg` });
    assert.equal(elsewhere.statusCode, 404);
    // a recorded media whose object is gone is a 404 too
    fake.objects.delete(`uploads/${key}`);
    assert.equal((await app.inject({ method: 'GET', url: path })).statusCode, 404);
  });

  test('a storage outage or refused credentials: a clear error, no media row, nothing in the bucket', async () => {
    const objects = fake.objects.size;
    const unavailable = { detail: 'Media storage is unavailable; the file was not stored. Try again later.' };
    const part = { name: 'file', filename: 'a.png', type: 'image/png', data: randomBytes(300) };

    fake.failWith = 500;
    try {
      const res = await upload(app, ws.admin.token, part);
      assert.equal(res.statusCode, 503, res.body);
      assert.deepEqual(res.json(), unavailable);
      const big = await upload(app, ws.admin.token, { ...part, type: 'video/mp4', filename: 'v.mp4', data: randomBytes(6 * 1024 * 1024) });
      assert.equal(big.statusCode, 503, big.body);
      // reads fail clearly too
      const served = await app.inject({ method: 'GET', url: `/media/${ws.workspace.uuid}/${randomUUID()}/a.png` });
      assert.equal(served.statusCode, 404, 'an unrecorded media is not looked up in storage');
    } finally {
      fake.failWith = null;
    }

    fake.log.length = 0;
    const refused = await upload(wrongSecretApp, ws.admin.token, part);
    assert.equal(refused.statusCode, 503, refused.body);
    assert.deepEqual(refused.json(), unavailable);
    assert.ok(fake.log.length > 0 && fake.log.every((l) => l.startsWith('403 ')), fake.log.join(', '));

    assert.equal(fake.objects.size, objects);
    assert.equal(fake.uploads.size, 0);
    assert.equal((await mediaRows(ws.workspace.id)).length, 1, 'only the first test\'s upload is recorded');
    assert.deepEqual(await mediaRows(other.workspace.id), []);

    // and when storage is back, the same upload works
    const ok = await upload(app, ws.admin.token, part);
    assert.equal(ok.statusCode, 201, ok.body);
  });

  test('reading a recorded media while storage is down is a 503, not a crash', async () => {
    const res = await upload(app, other.admin.token, { name: 'file', filename: 'b.gif', type: 'image/gif', data: randomBytes(40) });
    assert.equal(res.statusCode, 201);
    fake.failWith = 500;
    try {
      const served = await app.inject({ method: 'GET', url: new URL(res.json().url).pathname.replace(/^\/uploads/, '/media') });
      assert.equal(served.statusCode, 503);
      assert.deepEqual(served.json(), { detail: 'Media storage is unavailable. Try again later.' });
    } finally {
      fake.failWith = null;
    }
    assert.deepEqual(await mediaRows(other.workspace.id), [res.json().uuid]);
  });
});
