import type { Generated, ColumnType } from 'kysely';

/** Timestamps are read as strings (see types.ts) and written as strings or Dates. */
type Timestamp = ColumnType<string, string | Date | undefined, string | Date>;
type Id = Generated<number>;
type Json = ColumnType<any, string | undefined, string>;

export interface OrgsTable {
  id: Id; uuid: string; name: string; country: Generated<string>; timezone: Generated<string>;
  date_style: Generated<string>; languages: Generated<string[]>; is_anon: Generated<boolean>;
  is_flagged: Generated<boolean>; is_suspended: Generated<boolean>; is_active: Generated<boolean>;
  api_rates: Json; limits: Json; created_on: Timestamp; modified_on: Timestamp;
}
export interface UsersTable {
  id: Id; uuid: string; email: string; first_name: Generated<string>; last_name: Generated<string>;
  avatar: string | null; is_active: Generated<boolean>; date_joined: Timestamp;
}
export interface TeamsTable {
  id: Id; uuid: string; org_id: number; name: string; is_system: Generated<boolean>;
  is_active: Generated<boolean>; created_on: Timestamp;
}
export interface OrgMembershipsTable {
  org_id: number; user_id: number; role: string; team_id: number | null; joined_on: Timestamp;
}
export interface ApiTokensTable {
  id: Id; key_hash: string; org_id: number; user_id: number; is_active: Generated<boolean>;
  created_on: Timestamp; last_used_on: Timestamp | null;
}
export interface ApiThrottleTable { org_id: number; scope: string; bucket: number; hits: number }
export interface ContactFieldsTable {
  id: Id; uuid: string; org_id: number; key: string; name: string; value_type: string;
  is_system: Generated<boolean>; show_in_table: Generated<boolean>; priority: Generated<number>;
  agent_access: Generated<string>; is_active: Generated<boolean>; created_on: Timestamp; modified_on: Timestamp;
}
export interface GlobalsTable {
  id: Id; uuid: string; org_id: number; key: string; name: string; value: string;
  is_active: Generated<boolean>; created_on: Timestamp; modified_on: Timestamp;
}
export interface ContactGroupsTable {
  id: Id; uuid: string; org_id: number; name: string; group_type: string; query: string | null;
  status: Generated<string>; is_system: Generated<boolean>; is_active: Generated<boolean>;
  created_on: Timestamp; modified_on: Timestamp;
}
export interface ContactGroupsContactsTable { group_id: number; contact_id: number }
export interface MsgLabelsTable {
  id: Id; uuid: string; org_id: number; name: string; is_active: Generated<boolean>;
  created_on: Timestamp; modified_on: Timestamp;
}
export interface MsgLabelsMsgsTable { label_id: number; msg_id: number }
export interface TopicsTable {
  id: Id; uuid: string; org_id: number; name: string; is_system: Generated<boolean>;
  is_active: Generated<boolean>; created_on: Timestamp; modified_on: Timestamp;
}
export interface TicketsTable {
  id: Id; uuid: string; org_id: number; topic_id: number; status: string; opened_on: Timestamp;
  modified_on: Timestamp; closed_on: Timestamp | null;
}
export interface ChannelsTable {
  id: Id; uuid: string; org_id: number; channel_type: string; name: string; address: Generated<string>;
  country: Generated<string>; config: Json; schemes: Generated<string[]>; roles: Generated<string>;
  is_active: Generated<boolean>; created_on: Timestamp; modified_on: Timestamp;
  last_seen: Timestamp | null;
}

export interface ContactsTable {
  id: Id; uuid: string; org_id: number; name: string | null; language: string | null;
  status: Generated<string>; is_active: Generated<boolean>; current_flow_id: number | null;
  created_by_id: number | null; modified_by_id: number | null;
  created_on: Timestamp; modified_on: Timestamp; last_seen_on: Timestamp | null;
}
export interface ContactUrnsTable {
  id: Id; org_id: number; contact_id: number | null; scheme: string; path: string; identity: string;
  display: string | null; priority: Generated<number>; channel_id: number | null; auth_tokens: Json | null;
}
export interface ContactFieldValuesTable {
  contact_id: number; field_id: number; org_id: number; text_value: string;
  number_value: string | null; datetime_value: Timestamp | null;
  state_value: string | null; district_value: string | null; ward_value: string | null;
}
export interface ContactNotesTable {
  id: Id; contact_id: number; text: string; created_by_id: number | null; created_on: Timestamp;
}

export interface FlowsTable {
  id: Id; uuid: string; org_id: number; name: string; flow_type: string; spec_version: string;
  revision: Generated<number>; definition: Json; expires_after_minutes: Generated<number>;
  is_archived: Generated<boolean>; is_active: Generated<boolean>; created_by_id: number | null;
  created_on: Timestamp; modified_on: Timestamp; ignore_triggers: Generated<boolean>;
}
export interface FlowRevisionsTable {
  id: Id; flow_id: number; revision: number; spec_version: string; definition: Json;
  created_by_id: number | null; created_on: Timestamp;
}
export interface FlowLabelsTable { id: Id; uuid: string; org_id: number; name: string; created_on: Timestamp }
export interface FlowsLabelsTable { flow_id: number; label_id: number }
export interface FlowSessionsTable {
  id: Id; uuid: string; org_id: number; contact_id: number; session_type: Generated<string>; status: string;
  current_flow_id: number | null; output: Json | null; created_on: Timestamp; ended_on: Timestamp | null;
  wait_started_on: Timestamp | null; timeout_on: Timestamp | null; wait_expires_on: Timestamp | null;
  wait_timeout_seconds: number | null; wait_msg_uuid: string | null;
}
export interface FlowRunsTable {
  id: Id; uuid: string; org_id: number; flow_id: number; contact_id: number; session_id: number | null;
  start_id: number | null; status: string; responded: Generated<boolean>; results: Json; path: Json;
  created_on: Timestamp; modified_on: Timestamp; exited_on: Timestamp | null;
}

export interface BroadcastsTable {
  id: Id; uuid: string; org_id: number; status: Generated<string>; translations: Json; base_language: string;
  urns: Generated<string[]>; contact_count: Generated<number>; msg_count: Generated<number>;
  batch_count: Generated<number>; batches_done: Generated<number>; is_scheduled: Generated<boolean>;
  is_active: Generated<boolean>; created_by_id: number | null; created_on: Timestamp; modified_on: Timestamp;
}
export interface BroadcastsContactsTable { broadcast_id: number; contact_id: number }
export interface BroadcastsGroupsTable { broadcast_id: number; group_id: number }
export interface BroadcastBatchesTable { broadcast_id: number; batch_no: number }
export interface MsgsTable {
  id: Id; uuid: string; org_id: number; contact_id: number; contact_urn_id: number | null; channel_id: number | null;
  broadcast_id: number | null; flow_id: number | null; direction: string; status: string; visibility: Generated<string>;
  msg_type: Generated<string>; text: Generated<string>; attachments: Generated<string[]>; quick_replies: Json;
  external_id: string | null; high_priority: Generated<boolean>; error_count: Generated<number>;
  next_attempt: Timestamp | null; failed_reason: string | null; created_by_id: number | null;
  created_on: Timestamp; modified_on: Timestamp; sent_on: Timestamp | null; claimed_by: string | null; claimed_on: Timestamp | null;
}
export interface ChannelEventsTable {
  id: Id; uuid: string; org_id: number; channel_id: number; contact_id: number | null; contact_urn_id: number | null;
  event_type: string; extra: Json; occurred_on: Timestamp; created_on: Timestamp;
}

export interface FlowStartsTable {
  id: Id; uuid: string; org_id: number; flow_id: number; start_type: Generated<string>; status: Generated<string>;
  params: Json | null; restart_participants: Generated<boolean>; exclude_active: Generated<boolean>;
  contact_count: number | null; created_by_id: number | null; created_on: Timestamp; modified_on: Timestamp;
}
export interface FlowStartGroupsTable { start_id: number; group_id: number }
export interface FlowStartContactsTable { start_id: number; contact_id: number }
export interface TriggersTable {
  id: Id; uuid: string; org_id: number; trigger_type: string; flow_id: number; keywords: Generated<string[]>;
  match_type: string | null; channel_id: number | null; referrer_id: string | null; group_ids: Generated<number[]>;
  exclude_group_ids: Generated<number[]>; is_archived: Generated<boolean>; is_active: Generated<boolean>;
  created_on: Timestamp; modified_on: Timestamp;
}
export interface CampaignsTable {
  id: Id; uuid: string; org_id: number; name: string; group_id: number; is_archived: Generated<boolean>;
  is_active: Generated<boolean>; created_by_id: number | null; created_on: Timestamp; modified_on: Timestamp;
}
export interface CampaignEventsTable {
  id: Id; uuid: string; org_id: number; campaign_id: number; event_type: string; status: Generated<string>;
  fire_version: Generated<number>; relative_to_id: number; offset: number; unit: string; delivery_hour: number;
  flow_id: number | null; translations: Json | null; base_language: string | null; start_mode: Generated<string>;
  is_active: Generated<boolean>; created_by_id: number | null; created_on: Timestamp; modified_on: Timestamp;
}

export interface MediaTable {
  id: Id; uuid: string; org_id: number; url: string; content_type: string; path: string;
  size: ColumnType<number, number | undefined, number>; original_id: number | null; status: Generated<string>;
  duration: Generated<number>; width: Generated<number>; height: Generated<number>;
  created_by_id: number; created_on: Timestamp;
}

export interface DB {
  orgs: OrgsTable;
  users: UsersTable;
  teams: TeamsTable;
  org_memberships: OrgMembershipsTable;
  api_tokens: ApiTokensTable;
  api_throttle: ApiThrottleTable;
  contact_fields: ContactFieldsTable;
  globals: GlobalsTable;
  contact_groups: ContactGroupsTable;
  contact_groups_contacts: ContactGroupsContactsTable;
  msg_labels: MsgLabelsTable;
  msg_labels_msgs: MsgLabelsMsgsTable;
  topics: TopicsTable;
  tickets: TicketsTable;
  channels: ChannelsTable;
  contacts: ContactsTable;
  contact_urns: ContactUrnsTable;
  contact_field_values: ContactFieldValuesTable;
  contact_notes: ContactNotesTable;
  flows: FlowsTable;
  flow_revisions: FlowRevisionsTable;
  flow_labels: FlowLabelsTable;
  flows_labels: FlowsLabelsTable;
  flow_sessions: FlowSessionsTable;
  flow_runs: FlowRunsTable;
  flow_starts: FlowStartsTable;
  flow_start_groups: FlowStartGroupsTable;
  flow_start_contacts: FlowStartContactsTable;
  triggers: TriggersTable;
  campaigns: CampaignsTable;
  campaign_events: CampaignEventsTable;
  broadcasts: BroadcastsTable;
  broadcasts_contacts: BroadcastsContactsTable;
  broadcasts_groups: BroadcastsGroupsTable;
  broadcast_batches: BroadcastBatchesTable;
  msgs: MsgsTable;
  channel_events: ChannelEventsTable;
  media: MediaTable;
}
