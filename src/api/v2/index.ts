import type { Endpoint } from '../endpoint.ts';
import { workspace } from './workspace.ts';
import { fields } from './fields.ts';
import { globals } from './globals.ts';
import { users } from './users.ts';
import { groups } from './groups.ts';
import { labels } from './labels.ts';
import { topics } from './topics.ts';

/** Every API v2 endpoint; each lives in its own file. */
export const endpoints: Endpoint[] = [groups, labels, topics, fields, globals, users, workspace];
