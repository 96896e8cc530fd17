import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { buildServer } from '../api/server.ts';
import { createWorkspace, type NewWorkspace, type Workspace } from '../models/workspaces.ts';
import { addMember, type Role } from '../models/users.ts';
import { createToken } from '../models/tokens.ts';

let counter = 0;

/** A workspace with one member of each role and a token for each role that may hold one. */
export interface TestWorkspace {
  workspace: Workspace;
  admin: { email: string; token: string; userId: number };
  editor: { email: string; token: string; userId: number };
  agent: { email: string; userId: number };
}

export async function makeWorkspace(db: Kysely<DB>, input: Partial<NewWorkspace> = {}): Promise<TestWorkspace> {
  const n = ++counter;
  const workspace = await createWorkspace(db, { name: `Workspace ${n}`, country: 'RW', timezone: 'Africa/Kigali', languages: ['eng', 'kin'], ...input });
  const member = async (role: Role) => {
    const email = `${role}${n}.${Math.random().toString(36).slice(2, 8)}@example.com`;
    const u = await addMember(db, workspace.id, { email, role, firstName: role, lastName: `Number${n}` });
    return { email, userId: u.id };
  };
  const admin = await member('administrator');
  const editor = await member('editor');
  const agent = await member('agent');
  return {
    workspace,
    admin: { ...admin, token: await createToken(db, workspace.id, admin.userId) },
    editor: { ...editor, token: await createToken(db, workspace.id, editor.userId) },
    agent,
  };
}

/** A thin client over Fastify inject(): real HTTP semantics, no network. */
export class ApiClient {
  constructor(readonly app: FastifyInstance, public token?: string) {}

  as(token: string | undefined): ApiClient {
    return new ApiClient(this.app, token);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Token ${this.token}` } : {}), ...extra };
  }

  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: 'GET', url, headers: this.headers(headers) });
  }

  post(url: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      headers: this.headers({ 'content-type': 'application/json', ...headers }),
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  delete(url: string): Promise<LightMyRequestResponse> {
    return this.app.inject({ method: 'DELETE', url, headers: this.headers() });
  }

  request(method: string, url: string, opts: { headers?: Record<string, string>; payload?: string } = {}) {
    return this.app.inject({ method: method as any, url, headers: this.headers(opts.headers), payload: opts.payload });
  }
}

export async function makeApp(db: Kysely<DB>): Promise<FastifyInstance> {
  const app = await buildServer({ db });
  await app.ready();
  return app;
}

/** Every page of a list endpoint, following `next` links. */
export async function listAll(client: ApiClient, url: string): Promise<any[]> {
  const out: any[] = [];
  let next: string | null = url;
  while (next) {
    const u = new URL(next, 'http://localhost');
    const res = await client.get(u.pathname + u.search);
    if (res.statusCode !== 200) throw new Error(`GET ${next} → ${res.statusCode} ${res.body}`);
    const page = res.json();
    out.push(...page.results);
    next = page.next;
  }
  return out;
}
