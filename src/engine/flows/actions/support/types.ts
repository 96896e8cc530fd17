import type { EventLogger } from '../../core/events.ts';
import type { ActionDef, FlowType } from '../../definition/flow.ts';
import type { Run, Step } from '../../run.ts';

/**
 * A field of an action that holds templates (`evaluated`) and/or text translators can localize
 * (`localized`); `refs` is a list of asset references whose `name_match` (or a user's `email`) is a
 * template. Listed in goflow's field order, which is the order templates are enumerated in.
 */
export interface TextField { name: string; evaluated?: boolean; localized?: boolean; refs?: boolean }

/** An asset an action refers to, as flow inspection lists it. */
export interface DependencyRef { type: string; uuid?: string; key?: string; name: string }

/** What an action reports to flow inspection. */
export interface Inspector {
  dependency(ref: DependencyRef): void;
  local(name: string): void;
  result(name: string, categories: string[]): void;
}

/** One action type: where it may appear, how it is validated and what it does. */
export interface ActionType<A extends ActionDef = ActionDef> {
  type: string;
  flowTypes: FlowType[];
  /** Fields holding templates or localizable text. */
  textFields?: TextField[];
  /** Reports the assets, locals and results the action uses (flow inspection). */
  inspect?(action: A, add: Inspector): void;
  /** Validation messages in goflow's wording; empty when valid. */
  validate?(action: A): string[];
  execute(run: Run, step: Step, action: A, log: EventLogger): void | Promise<void>;
}

export const UNIVERSAL: FlowType[] = ['messaging', 'messaging_background', 'messaging_offline', 'voice'];
export const INTERACTIVE: FlowType[] = ['messaging', 'messaging_offline', 'voice'];
export const ONLINE: FlowType[] = ['messaging', 'messaging_background', 'voice'];
export const VOICE: FlowType[] = ['voice'];

/** Declares an action type with its action JSON shape. */
export function defineAction<A extends ActionDef>(def: ActionType<A>): ActionType {
  return def as unknown as ActionType;
}

/** Text fields of actions that create messages (send_msg, send_broadcast). */
export const MSG_FIELDS: TextField[] = [
  { name: 'text', evaluated: true, localized: true },
  { name: 'attachments', evaluated: true, localized: true },
  { name: 'quick_replies', evaluated: true, localized: true },
  { name: 'template_variables', evaluated: true },
];

/** Text fields of actions addressing other contacts (send_broadcast, start_session). */
export const RECIPIENT_FIELDS: TextField[] = [
  { name: 'groups', refs: true },
  { name: 'contact_query', evaluated: true },
  { name: 'legacy_vars', evaluated: true },
];

/** Asset references that name an asset by UUID (variable `name_match` references are left out). */
export function uuidRefs(type: string, refs: unknown, add: Inspector): void {
  for (const r of (Array.isArray(refs) ? refs : refs ? [refs] : []) as { uuid?: string; name?: string }[]) {
    if (r?.uuid) add.dependency({ type, uuid: r.uuid, name: r.name ?? '' });
  }
}

export const WEBHOOK_CATEGORIES = ['Success', 'Failure'];
