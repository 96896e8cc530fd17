import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { findMediaForServing } from '../models/media.ts';
import { MediaStorageError, type MediaStorage } from './storage.ts';

const STORAGE = Symbol('mediaStorage');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The storage the server was built with (the media endpoint writes to it). */
export function mediaStorageOf(app: FastifyInstance): MediaStorage {
  const s = (app as unknown as Record<symbol, MediaStorage | undefined>)[STORAGE];
  if (!s) throw new Error('media storage not registered');
  return s;
}

/**
 * Public reads of uploaded media: `/media/<org uuid>/<media uuid>/<filename>`, the URLs that
 * attachments carry (channels hand them to providers, which fetch them without credentials, so no
 * authentication, as with RapidPro's public storage bucket). Only a file recorded in the media table
 * under that workspace and name is served, with its stored content type.
 */
export function registerMediaRoutes(app: FastifyInstance, db: Kysely<DB>, storage: MediaStorage): void {
  app.decorate(STORAGE, storage);
  app.addHook('onClose', async () => storage.close?.());
  const notFound = { detail: 'Not found.' };
  app.route({
    method: ['GET', 'HEAD'],
    url: '/media/:org/:uuid/:filename',
    handler: async (req, reply) => {
      const { org, uuid, filename } = req.params as { org: string; uuid: string; filename: string };
      if (!UUID.test(org) || !UUID.test(uuid)) return reply.code(404).type('application/json').send(notFound);
      const m = await findMediaForServing(db, org, uuid);
      if (!m || m.path !== `${org}/${uuid}/${filename}`) return reply.code(404).type('application/json').send(notFound);
      let file: Awaited<ReturnType<MediaStorage['get']>>;
      try {
        file = await storage.get(m.path);
      } catch (e) {
        if (!(e instanceof MediaStorageError)) throw e;
        req.log.error(e);
        return reply.code(503).type('application/json').send({ detail: 'Media storage is unavailable. Try again later.' });
      }
      if (!file) return reply.code(404).type('application/json').send(notFound);
      reply
        .header('Content-Type', m.content_type)
        .header('Content-Length', String(file.size))
        .header('X-Content-Type-Options', 'nosniff')
        // a key never changes once written (storage.ts)
        .header('Cache-Control', 'public, max-age=31536000, immutable');
      if (req.method === 'HEAD') {
        file.body.destroy();
        return reply.send();
      }
      return reply.send(file.body);
    },
  });
}
