import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.ts';
import * as m0002 from './0002_contacts.ts';
import * as m0003 from './0003_contact_search.ts';
import * as m0004 from './0004_flows.ts';
import * as m0005 from './0005_messages.ts';
import * as m0006 from './0006_flow_starts.ts';
import * as m0007 from './0007_triggers.ts';
import * as m0008 from './0008_media.ts';
import * as m0009 from './0009_campaigns.ts';
import * as m0010 from './0010_msg_claims.ts';
import * as m0011 from './0011_asset_versions.ts';
import * as m0012 from './0012_trigger_asset_versions.ts';
import * as m0013 from './0013_wait_timeout_on_send.ts';

/** Every migration, applied in key order. Add new ones at the end with the next number. */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_contacts': m0002,
  '0003_contact_search': m0003,
  '0004_flows': m0004,
  '0005_messages': m0005,
  '0006_flow_starts': m0006,
  '0007_triggers': m0007,
  '0008_media': m0008,
  '0009_campaigns': m0009,
  '0010_msg_claims': m0010,
  '0011_asset_versions': m0011,
  '0012_trigger_asset_versions': m0012,
  '0013_wait_timeout_on_send': m0013,
};
