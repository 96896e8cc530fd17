import type { Flow } from './definition/flow.ts';
import { readFlow } from './definition/read.ts';
import type { MigrateOptions } from './definition/migrate.ts';
import { Locations } from './core/locations.ts';

export interface Ref { uuid: string; name: string }
export interface ChannelAsset {
  uuid: string; name: string; address: string; schemes: string[]; roles: string[];
  country?: string; parent?: Ref; features?: string[];
}
export interface FieldAsset { uuid?: string; key: string; name: string; type: string }
export interface GroupAsset { uuid: string; name: string; query?: string }
export interface GlobalAsset { key: string; name: string; value: string }
export interface LabelAsset { uuid: string; name: string }
export interface TopicAsset { uuid: string; name: string }
export interface UserAsset { uuid: string; name: string; email: string }
export interface ResthookAsset { slug: string; subscribers: string[] }
export interface LLMAsset { uuid: string; name: string; type: string; roles?: string[] }
export interface LocationAsset { name: string; aliases?: string[]; children?: LocationAsset[] }
export interface CampaignAsset { uuid: string; name: string }
export interface TemplateAsset { uuid: string; name: string; translations: TemplateTranslation[] }
export interface TemplateTranslation {
  channel: Ref; locale: string;
  components: { name: string; type: string; content: string; variables: Record<string, number> }[];
  variables: { type: string }[];
}

/** Raw assets as the static JSON source holds them (goflow's shape). */
export interface AssetsSource {
  flows?: unknown[]; channels?: ChannelAsset[]; fields?: FieldAsset[]; groups?: GroupAsset[];
  globals?: GlobalAsset[]; labels?: LabelAsset[]; topics?: TopicAsset[]; users?: UserAsset[];
  resthooks?: ResthookAsset[]; llms?: LLMAsset[]; locations?: LocationAsset[];
  campaigns?: CampaignAsset[]; templates?: TemplateAsset[]; classifiers?: unknown[];
  optins?: Ref[];
}

const lower = (s: string) => s.toLowerCase();

function byKey<T>(items: T[] | undefined, key: (t: T) => string): Map<string, T> {
  return new Map((items ?? []).map((i) => [key(i), i]));
}

/** The assets one session sees. Flows are read (migrated and validated) on first use and cached. */
export class SessionAssets {
  readonly channels: ChannelAsset[];
  readonly fields: FieldAsset[];
  readonly groups: GroupAsset[];
  readonly globals: GlobalAsset[];
  readonly labels: LabelAsset[];
  readonly topics: TopicAsset[];
  readonly users: UserAsset[];
  readonly resthooks: ResthookAsset[];
  readonly llms: LLMAsset[];
  readonly locations: LocationAsset[];
  readonly campaigns: CampaignAsset[];
  readonly templates: TemplateAsset[];
  private readonly flowSources: Map<string, unknown>;
  private readonly flowCache = new Map<string, Flow | Error>();
  private readonly index: {
    channels: Map<string, ChannelAsset>; fields: Map<string, FieldAsset>; groups: Map<string, GroupAsset>;
    groupsByName: Map<string, GroupAsset>; labels: Map<string, LabelAsset>; labelsByName: Map<string, LabelAsset>;
    topics: Map<string, TopicAsset>; users: Map<string, UserAsset>; usersByEmail: Map<string, UserAsset>;
    llms: Map<string, LLMAsset>; templates: Map<string, TemplateAsset>;
  };

  constructor(source: AssetsSource, private readonly migrateOptions: MigrateOptions = {}) {
    this.channels = source.channels ?? [];
    this.fields = source.fields ?? [];
    this.groups = source.groups ?? [];
    this.globals = source.globals ?? [];
    this.labels = source.labels ?? [];
    this.topics = source.topics ?? [];
    this.users = source.users ?? [];
    this.resthooks = source.resthooks ?? [];
    this.llms = source.llms ?? [];
    this.locations = source.locations ?? [];
    this.campaigns = source.campaigns ?? [];
    this.templates = source.templates ?? [];
    // legacy (v11) definitions keep their UUID under metadata
    const flowUUID = (f: any) => String(f?.uuid ?? f?.metadata?.uuid ?? '');
    this.flowSources = new Map((source.flows ?? []).map((f) => [flowUUID(f), f] as [string, unknown]));
    this.index = {
      channels: byKey(this.channels, (c) => c.uuid),
      fields: byKey(this.fields, (f) => f.key),
      groups: byKey(this.groups, (g) => g.uuid),
      groupsByName: byKey(this.groups, (g) => lower(g.name)),
      labels: byKey(this.labels, (l) => l.uuid),
      labelsByName: byKey(this.labels, (l) => lower(l.name)),
      topics: byKey(this.topics, (t) => t.uuid),
      users: byKey(this.users, (u) => u.uuid),
      usersByEmail: byKey(this.users, (u) => lower(u.email)),
      llms: byKey(this.llms, (l) => l.uuid),
      templates: byKey(this.templates, (t) => t.uuid),
    };
  }

  /** The flow with this UUID, or an Error explaining why it can't be used (missing or invalid). */
  flow(uuid: string): Flow | Error {
    const cached = this.flowCache.get(uuid);
    if (cached) return cached;
    const src = this.flowSources.get(uuid);
    let result: Flow | Error;
    if (src === undefined) result = new Error(`no such flow with UUID '${uuid}'`);
    else {
      try {
        result = readFlow(src, this.migrateOptions);
      } catch (e) {
        result = e instanceof Error ? e : new Error(String(e));
      }
    }
    this.flowCache.set(uuid, result);
    return result;
  }

  private locationIndex: Locations | null = null;

  /** The first location hierarchy, indexed for lookups. */
  get locationResolver(): Locations {
    return (this.locationIndex ??= new Locations(this.locations[0]));
  }

  flowSource(uuid: string): unknown { return this.flowSources.get(uuid); }
  channel(uuid: string) { return this.index.channels.get(uuid); }
  field(key: string) { return this.index.fields.get(key); }
  group(uuid: string) { return this.index.groups.get(uuid); }
  groupByName(name: string) { return this.index.groupsByName.get(lower(name.trim())); }
  label(uuid: string) { return this.index.labels.get(uuid); }
  labelByName(name: string) { return this.index.labelsByName.get(lower(name.trim())); }
  topic(uuid: string) { return this.index.topics.get(uuid); }
  user(uuid: string) { return this.index.users.get(uuid); }
  userByEmail(email: string) { return this.index.usersByEmail.get(lower(email.trim())); }
  llm(uuid: string) { return this.index.llms.get(uuid); }
  template(uuid: string) { return this.index.templates.get(uuid); }
  resthook(slug: string) { return this.resthooks.find((r) => r.slug === slug); }
}

/** Reads static assets; `migrate` options apply when older flow definitions are migrated on load. */
export function readAssets(json: unknown, migrate: MigrateOptions = {}): SessionAssets {
  return new SessionAssets((json ?? {}) as AssetsSource, migrate);
}
