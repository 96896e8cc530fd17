import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { mediaStorageFromEnv } from './config.ts';
import { LocalDiskStorage } from './local.ts';
import { MediaStorageError } from './storage.ts';
import type { S3Storage } from './s3.ts';

test('media storage from the environment: local folder under the data folder unless set, public URL override', () => {
  const local = (env: NodeJS.ProcessEnv) => mediaStorageFromEnv(env) as LocalDiskStorage;
  assert.equal(local({}).root, path.resolve('data/media'));
  assert.equal(local({ RAPIDPRO_DATA_DIR: '/srv/rp' }).root, '/srv/rp/media');
  // with a PostgreSQL server the data folder holds no database, but media still default there
  assert.equal(local({ DATABASE_URL: 'postgres://x/y', RAPIDPRO_MEDIA_DIR: '/var/media' }).root, '/var/media');
  const key = 'b1f0c2a4-0000-4000-8000-000000000000/5e0a1b2c-0000-4000-8000-000000000000/steve marten.jpg';
  assert.equal(local({}).url(key, 'http://h:8000'), 'http://h:8000/media/b1f0c2a4-0000-4000-8000-000000000000/5e0a1b2c-0000-4000-8000-000000000000/steve%20marten.jpg');
  assert.equal(local({ RAPIDPRO_MEDIA_URL: 'https://cdn.example.com/' }).url(key, 'http://h:8000'), `https://cdn.example.com/media/${key.replace(' ', '%20')}`);
});

test('S3 storage from the environment: its settings, and a configuration that cannot work stops the start', () => {
  const s3 = mediaStorageFromEnv({
    RAPIDPRO_MEDIA_STORAGE: 's3', RAPIDPRO_MEDIA_S3_BUCKET: 'rp-media', RAPIDPRO_MEDIA_S3_REGION: 'eu-west-1',
    RAPIDPRO_MEDIA_S3_ENDPOINT: 'http://127.0.0.1:9000/', RAPIDPRO_MEDIA_S3_PREFIX: '/media/', RAPIDPRO_MEDIA_URL: 'https://cdn.example.com/',
  }) as S3Storage;
  assert.equal(s3.kind, 's3');
  assert.deepEqual([s3.bucket, s3.region, s3.endpoint, s3.prefix, s3.publicUrl], ['rp-media', 'eu-west-1', 'http://127.0.0.1:9000', 'media/', 'https://cdn.example.com']);
  assert.equal(s3.client.config.forcePathStyle, true);
  s3.close();
  const aws = mediaStorageFromEnv({ RAPIDPRO_MEDIA_STORAGE: 's3', RAPIDPRO_MEDIA_S3_BUCKET: 'rp-media' }) as S3Storage;
  assert.deepEqual([aws.region, aws.endpoint, aws.prefix, aws.client.config.forcePathStyle], ['us-east-1', undefined, '', false]);
  aws.close();

  const refused: [NodeJS.ProcessEnv, RegExp][] = [
    [{}, /needs RAPIDPRO_MEDIA_S3_BUCKET/],
    [{ RAPIDPRO_MEDIA_S3_BUCKET: '  ' }, /needs RAPIDPRO_MEDIA_S3_BUCKET/],
    [{ RAPIDPRO_MEDIA_S3_BUCKET: 'b', RAPIDPRO_MEDIA_S3_ENDPOINT: 'minio:9000' }, /RAPIDPRO_MEDIA_S3_ENDPOINT=minio:9000: expected an http\(s\) URL/],
    [{ RAPIDPRO_MEDIA_S3_BUCKET: 'b', RAPIDPRO_MEDIA_S3_ENDPOINT: 'minio' }, /RAPIDPRO_MEDIA_S3_ENDPOINT=minio: not a URL/],
    [{ RAPIDPRO_MEDIA_S3_BUCKET: 'b', RAPIDPRO_MEDIA_URL: 'cdn.example.com' }, /RAPIDPRO_MEDIA_URL=cdn.example.com: not a URL/],
    [{ RAPIDPRO_MEDIA_S3_BUCKET: 'b', RAPIDPRO_MEDIA_S3_PREFIX: 'a/../b' }, /no \. or \.\. segments/],
    [{ RAPIDPRO_MEDIA_S3_BUCKET: 'b', AWS_ACCESS_KEY_ID: 'AKID' }, /must be set together/],
  ];
  for (const [env, message] of refused) assert.throws(() => mediaStorageFromEnv({ RAPIDPRO_MEDIA_STORAGE: 's3', ...env }), message, JSON.stringify(env));
  assert.throws(() => mediaStorageFromEnv({ RAPIDPRO_MEDIA_STORAGE: 'ftp' }), /unknown media storage \(expected local or s3\)/);
});

test('local keys cannot leave the root', async () => {
  const s = new LocalDiskStorage('/nonexistent-root');
  for (const key of ['../x', 'a/../../x', 'a//b', 'a\\..\\b', '/abs']) await assert.rejects(s.get(key), /bad media key/, key);
});

test('local disk failures are storage errors; a failing upload stream is not', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rpts-media-'));
  try {
    // the root is a file: nothing can be written below it
    writeFileSync(path.join(dir, 'file'), 'x');
    const broken = new LocalDiskStorage(path.join(dir, 'file'));
    await assert.rejects(broken.put('a/b/c.png', Readable.from([Buffer.from('x')])), (e) => e instanceof MediaStorageError && /ENOTDIR/.test(e.message));
    await assert.rejects(broken.get('a/b/c.png'), MediaStorageError);
    const ok = new LocalDiskStorage(path.join(dir, 'media'));
    const failing = new Readable({ read() { this.destroy(new Error('client went away')); } });
    await assert.rejects(ok.put('a/b/c.png', failing), (e) => !(e instanceof MediaStorageError) && /client went away/.test((e as Error).message));
    assert.equal(await ok.get('a/b/c.png'), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
