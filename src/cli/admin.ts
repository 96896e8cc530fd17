import type { ParseArgsConfig } from 'node:util';
import type { Database } from '../db/open.ts';
import { createWorkspace, getWorkspaceByUuid, type DateStyle, type Workspace } from '../models/workspaces.ts';
import { addMember, findMemberByEmail, type Role } from '../models/users.ts';
import { createToken } from '../models/tokens.ts';
import { createChannel } from '../models/channels.ts';
import { serializeWorkspace } from '../api/v2/workspace.ts';
import { importDefinitions } from '../models/definitions.ts';
import { createSmartGroup } from '../models/smart-groups.ts';
import { createJobQueue } from '../jobs/index.ts';
import { readFileSync } from 'node:fs';

export class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;
interface AdminCommand {
  options: NonNullable<ParseArgsConfig['options']>;
  /** Positional arguments the command takes, by name. */
  positionals?: string[];
  run(d: Database, v: Values, positionals: string[]): Promise<unknown>;
}

/** Runs fn with a job queue whose jobs the server's (or a worker's) workers will pick up. */
async function withJobs<T>(d: Database, fn: (enqueue: (n: string, data: object, o: { tx: any }) => Promise<unknown>) => Promise<T>): Promise<T> {
  const jobs = createJobQueue(d);
  await jobs.start();
  try {
    return await fn((n, data, o) => jobs.enqueue(n, data, o));
  } finally {
    await jobs.stop();
  }
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
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
  'group create': {
    options: { workspace: str, name: str, query: str },
    async run(d, v) {
      const ws = await workspaceArg(d, v);
      const name = required(v, 'name');
      if (typeof v.query !== 'string') {
        const { createManualGroup } = await import('../models/groups.ts');
        const g = await createManualGroup(d.db, ws.id, name);
        return { uuid: g.uuid, name: g.name, query: null, status: 'ready' };
      }
      const g = await withJobs(d, (enqueue) => createSmartGroup(d.db, ws, name, v.query as string, enqueue));
      return { uuid: g.uuid, name: g.name, query: g.query, status: 'initializing' };
    },
  },
  import: {
    options: { workspace: str },
    positionals: ['file'],
    async run(d, v, positionals) {
      const ws = await workspaceArg(d, v);
      if (positionals.length !== 1) throw new UsageError('usage: import --workspace UUID FILE');
      const doc = readJsonFile(positionals[0]);
      return withJobs(d, (enqueue) => importDefinitions(d.db, ws, doc, enqueue));
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
