import type { Endpoint } from '../endpoint.ts';
import { workspace } from './workspace.ts';
import { fields } from './fields.ts';
import { globals } from './globals.ts';
import { users } from './users.ts';
import { groups } from './groups.ts';
import { labels } from './labels.ts';
import { topics } from './topics.ts';
import { contacts } from './contacts.ts';
import { contactActions } from './contact_actions.ts';
import { flows } from './flows.ts';
import { definitions } from './definitions.ts';
import { runs } from './runs.ts';
import { flowStarts } from './flow_starts.ts';
import { broadcasts } from './broadcasts.ts';
import { messages } from './messages.ts';
import { messageActions } from './message_actions.ts';
import { channels } from './channels.ts';
import { channelEvents } from './channel_events.ts';
import { media } from './media.ts';

/** Every API v2 endpoint; each lives in its own file. */
export const endpoints: Endpoint[] = [contacts, contactActions, flows, definitions, runs, flowStarts, groups, labels, topics, fields, globals, users, workspace, broadcasts, messages, messageActions, channels, channelEvents, media];
