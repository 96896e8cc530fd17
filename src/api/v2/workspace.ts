import type { Endpoint } from '../endpoint.ts';
import type { Workspace } from '../../models/workspaces.ts';

export function serializeWorkspace(ws: Workspace) {
  return {
    uuid: ws.uuid,
    name: ws.name,
    country: ws.country,
    languages: ws.languages,
    timezone: ws.timezone,
    date_style: ws.dateStyle,
    anon: ws.isAnon,
    credits: { used: -1, remaining: -1 },
    primary_language: ws.languages[0] ?? null,
  };
}

export const workspace: Endpoint = {
  name: 'workspace',
  aliases: ['org'],
  fixedPermission: true,
  handlers: {
    GET: async (ctx) => ({ status: 200, body: serializeWorkspace(ctx.workspace) }),
  },
};
