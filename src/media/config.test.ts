import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { mediaStorageFromEnv } from './config.ts';
import { LocalDiskStorage } from './local.ts';

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

test('S3 storage is refused clearly until it exists; unknown kinds too', () => {
  assert.throws(() => mediaStorageFromEnv({ RAPIDPRO_MEDIA_STORAGE: 's3' }), /S3-compatible media storage is not implemented/);
  assert.throws(() => mediaStorageFromEnv({ RAPIDPRO_MEDIA_STORAGE: 'ftp' }), /unknown media storage/);
});

test('local keys cannot leave the root', async () => {
  const s = new LocalDiskStorage('/nonexistent-root');
  for (const key of ['../x', 'a/../../x', 'a//b', 'a\\..\\b', '/abs']) await assert.rejects(s.get(key), /bad media key/, key);
});
