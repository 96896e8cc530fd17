import type { Endpoint } from '../endpoint.ts';
import { badRequest } from '../errors.ts';
import { paramAll, normalizeUuid } from '../params.ts';
import { exportDefinitions, type DependencyMode } from '../../models/definitions.ts';

const MODES: DependencyMode[] = ['none', 'flows', 'all'];

export const definitions: Endpoint = {
  name: 'definitions',
  fixedPermission: true,
  listed: false,
  handlers: {
    async GET({ req, db, workspace }) {
      const all = paramAll(req, 'dependencies');
      const mode = (all.length ? all[all.length - 1] : 'all') as DependencyMode;
      if (!MODES.includes(mode)) throw badRequest('dependencies must be one of none, flows, all');
      // Unknown or malformed UUIDs are ignored (upstream 500s on malformed ones).
      const uuids = (name: string) => paramAll(req, name).map(normalizeUuid).filter((u): u is string => !!u);
      const site = `${req.protocol}://${req.headers.host ?? 'localhost'}`;
      return { status: 200, body: await exportDefinitions(db, workspace, uuids('flow'), mode, site, uuids('campaign')) };
    },
  },
};
