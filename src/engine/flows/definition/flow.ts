import type { Ref } from '../assets.ts';

export const CURRENT_SPEC_VERSION = '14.4.2';

export type FlowType = 'messaging' | 'messaging_background' | 'messaging_offline' | 'voice';
export const FLOW_TYPES: FlowType[] = ['messaging', 'messaging_background', 'messaging_offline', 'voice'];

/** An action as read from the definition: its JSON fields plus the required uuid/type. */
export interface ActionDef { uuid: string; type: string; [field: string]: unknown }

export interface Exit { uuid: string; destination_uuid?: string }
export interface Category { uuid: string; name: string; exit_uuid: string }
export interface Case { uuid: string; type: string; arguments?: string[]; category_uuid: string }

export interface MsgWait {
  type: 'msg';
  timeout?: { seconds: number; category_uuid: string };
  hint?: Record<string, unknown>;
}
export interface DialWait { type: 'dial'; phone: string; dial_limit_seconds?: number; call_limit_seconds?: number }
export type Wait = MsgWait | DialWait;

export interface Router {
  type: 'switch' | 'random';
  wait?: Wait;
  result_name?: string;
  categories: Category[];
  operand?: string;
  cases?: Case[];
  default_category_uuid?: string;
}

export interface Node { uuid: string; actions: ActionDef[]; router?: Router; exits: Exit[] }

/** item UUID → property → translated values, per language. */
export type Localization = Record<string, Record<string, Record<string, unknown>>>;

/** A flow definition at the current spec version, validated and indexed for execution. */
export class Flow {
  readonly nodeIndex: Map<string, Node>;

  constructor(
    readonly uuid: string,
    readonly name: string,
    readonly specVersion: string,
    readonly language: string,
    readonly type: FlowType,
    readonly revision: number,
    readonly expireAfterMinutes: number,
    readonly localization: Localization,
    readonly nodes: Node[],
    /** The (migrated) definition JSON, kept verbatim for writing back out. */
    readonly definition: Record<string, unknown>,
  ) {
    this.nodeIndex = new Map(nodes.map((n) => [n.uuid, n]));
  }

  get ref(): Ref { return { uuid: this.uuid, name: this.name }; }

  /** Reference with the revision, as runs and run events carry it (revision 0 is left out). */
  get runRef(): Ref & { revision?: number } {
    return this.revision ? { uuid: this.uuid, name: this.name, revision: this.revision } : this.ref;
  }

  node(uuid: string): Node | undefined { return this.nodeIndex.get(uuid); }

  /** Translated values of an item's property, or null when there is no usable translation. */
  translation(lang: string, itemUUID: string, property: string): string[] | null {
    const values = this.localization[lang]?.[itemUUID]?.[property];
    if (!Array.isArray(values) || values.length === 0) return null;
    if (!values.every((v) => typeof v === 'string')) return null;
    if (values.length === 1 && values[0] === '') return null;
    return values as string[];
  }

  /** Languages that have any translation in this flow. */
  get localizedLanguages(): string[] { return Object.keys(this.localization); }
}

/** Default expiry when a definition leaves `expire_after_minutes` at 0. */
export function defaultExpireAfterMinutes(type: FlowType): number {
  if (type === 'messaging') return 4320;
  if (type === 'voice') return 5;
  return 0;
}
