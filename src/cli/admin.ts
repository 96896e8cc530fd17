import type { ParseArgsConfig } from 'node:util';
import type { Database } from '../db/open.ts';
import { createWorkspace, getWorkspaceByUuid, type DateStyle, type Workspace } from '../models/workspaces.ts';
import { addMember, findMemberByEmail, type Role } from '../models/users.ts';
import { createToken } from '../models/tokens.ts';
import { createChannel } from '../models/channels.ts';
import { serializeWorkspace } from '../api/v2/workspace.ts';

export class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;
interface AdminCommand {
  options: NonNullable<ParseArgsConfig['options']>;
  run(d: Database, v: Values): Promise<unknown>;
}

function required(v: Values, name: string): string {
  const value = v[name];
  if (typeof value !== 'string' || !value.trim()) throw new UsageError(`--${name} is required`);
  return value.trim();
}

async function workspaceArg(d: Database, v: Values): Promise<Workspace> {
  const uuid = required(v, 'workspace');
  const ws = await getWorkspaceByUuid(d.db, uuid);
  if (!ws) throw new UsageError(`no workspace with uuid ${uuid}`);
  return ws;
}

const str = { type: 'string' } as const;

/** Admin commands: each prints one JSON object and works with or without a running server. */
export const adminCommands: Record<string, AdminCommand> = {
  'workspace create': {
    options: { name: str, country: str, timezone: str, languages: str, 'date-style': str, anon: { type: 'boolean' } },
    async run(d, v) {
      const ws = await createWorkspace(d.db, {
        name: required(v, 'name'),
        country: (v.country as string | undefined)?.toUpperCase(),
        timezone: v.timezone as string | undefined,
        languages: typeof v.languages === 'string' ? v.languages.split(',').map((l) => l.trim()).filter(Boolean) : undefined,
        dateStyle: v['date-style'] as DateStyle | undefined,
        anon: v.anon === true,
      });
      return serializeWorkspace(ws);
    },
  },
  'user create': {
    options: { workspace: str, email: str, role: str, 'first-name': str, 'last-name': str },
    async run(d, v) {
      const ws = await workspaceArg(d, v);
      const u = await addMember(d.db, ws.id, {
        email: required(v, 'email'),
        role: required(v, 'role') as Role,
        firstName: v['first-name'] as string | undefined,
        lastName: v['last-name'] as string | undefined,
      });
      return { uuid: u.uuid, email: u.email, role: u.role, workspace: ws.uuid };
    },
  },
  'token create': {
    options: { workspace: str, email: str },
    async run(d, v) {
      const ws = await workspaceArg(d, v);
      const member = await findMemberByEmail(d.db, ws.id, required(v, 'email'));
      if (!member) throw new UsageError(`${v.email} is not a member of workspace ${ws.uuid}`);
      return { token: await createToken(d.db, ws.id, member.id), workspace: ws.uuid, email: member.email, role: member.role };
    },
  },
  'channel create': {
    options: { workspace: str, type: str, name: str, address: str, country: str, config: str },
    async run(d, v) {
      const ws = await workspaceArg(d, v);
      let config: Record<string, unknown> | undefined;
      if (typeof v.config === 'string') {
        try {
          config = JSON.parse(v.config);
        } catch {
          throw new UsageError('--config must be a JSON object');
        }
        if (!config || typeof config !== 'object' || Array.isArray(config)) throw new UsageError('--config must be a JSON object');
      }
      const ch = await createChannel(d.db, ws, {
        type: required(v, 'type'),
        name: required(v, 'name'),
        address: required(v, 'address'),
        country: (v.country as string | undefined)?.toUpperCase(),
        config,
      });
      return { ...ch, workspace: ws.uuid };
    },
  },
};
