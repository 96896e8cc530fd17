import type { AssetRef, ContactStatus } from './ast.ts';

/** A contact field's value in every representation the engine parsed it into. */
export interface QueryableFieldValue {
  text: string;
  number?: number | string | null;
  /** ISO 8601; without an offset it is read in the environment's timezone. */
  datetime?: string | Date | null;
  /** Location paths such as "Rwanda > Kigali City"; queries compare the last part (the name). */
  state?: string | null;
  district?: string | null;
  ward?: string | null;
}

/**
 * What the evaluator can read of a contact. Anything left undefined yields no values, which is how
 * the flow engine evaluates smart groups: it doesn't know ids, refs, statuses, groups or flows, and
 * queries on those then behave as if the contact had none.
 */
export interface QueryableContact {
  uuid: string;
  id?: string | number | null;
  ref?: string | null;
  name?: string | null;
  status?: ContactStatus | null;
  language?: string | null;
  createdOn?: string | Date | null;
  lastSeenOn?: string | Date | null;
  /** In priority order, as `scheme:path` strings (query and display parts are ignored) or parts. */
  urns?: readonly (string | { scheme: string; path: string })[];
  groups?: readonly AssetRef[];
  /** The flow the contact is currently in. */
  flow?: AssetRef | null;
  /** Every flow the contact has ever been in. */
  history?: readonly AssetRef[];
  /** Number of open tickets. */
  tickets?: number | null;
  fields?: Readonly<Record<string, QueryableFieldValue | null | undefined>>;
}
