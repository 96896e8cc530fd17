// The resolved query tree that parseQuery returns. It is meant to be consumed directly by the
// in-memory evaluator and by a SQL compiler: every condition says what kind of property it reads,
// which value type that property has, and carries its value already parsed into that type.

export type Operator = '=' | '!=' | '~' | '>' | '>=' | '<' | '<=';

export type FieldType = 'text' | 'number' | 'datetime' | 'state' | 'district' | 'ward';

export type AttributeKey =
  | 'uuid'
  | 'id'
  | 'ref'
  | 'name'
  | 'status'
  | 'language'
  | 'urn'
  | 'group'
  | 'flow'
  | 'history'
  | 'tickets'
  | 'created_on'
  | 'last_seen_on';

export type ContactStatus = 'active' | 'blocked' | 'stopped' | 'archived';

/** A contact field as the resolver knows it. */
export interface FieldRef {
  key: string;
  type: FieldType;
  name?: string;
  uuid?: string;
}

/** A group or flow named in a query, as the resolver found it (names match case-insensitively). */
export interface AssetRef {
  uuid: string;
  name: string;
}

/** What a condition reads from the contact. */
export type QueryProperty =
  | { kind: 'attribute'; key: AttributeKey; valueType: 'text' | 'number' | 'datetime' }
  /** URN paths of one scheme; the scheme is as written (lowercased), not checked against a list. */
  | { kind: 'urn'; scheme: string; valueType: 'text' }
  /** A contact field; `field` is null (and `valueType` unknown) when parsed without a resolver. */
  | { kind: 'field'; key: string; valueType: FieldType | null; field: FieldRef | null };

/** A condition's value, parsed for the property's value type. */
export type ConditionValue =
  /** `prop = ""` is "not set", `prop != ""` is "set". */
  | { kind: 'empty' }
  /** Compared case-insensitively and trimmed: `normalized` is the comparison key. */
  | { kind: 'text'; text: string; normalized: string }
  /**
   * `name ~ x`: true when any token of the contact's name starts with any of these prefixes, both
   * sides lowercased and cut to NAME_PREFIX_LENGTH characters.
   */
  | { kind: 'name_prefixes'; prefixes: string[] }
  /** A decimal in plain notation (no exponent), e.g. "18", "-2.5". */
  | { kind: 'number'; number: string }
  /**
   * A calendar day in `timezone` as the UTC instants [start, end) (end = start + 24h), ISO 8601 with
   * `Z`. `=` is inside the range, `>` at or after end, `>=` at or after start, `<` before start,
   * `<=` before end, `!=` outside.
   */
  | { kind: 'datetime'; day: string; timezone: string; start: string; end: string }
  /** `group = X` with a resolver: membership of that group. */
  | { kind: 'group'; group: AssetRef }
  /** `flow = X` (current flow) / `history = X` (ever in the flow) with a resolver. */
  | { kind: 'flow'; flow: AssetRef };

export interface Condition {
  type: 'condition';
  property: QueryProperty;
  operator: Operator;
  /** The value exactly as the query gave it (after unquoting): what the canonical form prints. */
  raw: string;
  value: ConditionValue;
}

export interface Combination {
  type: 'and' | 'or';
  /** At least two children; a child is never a combination of the same type (queries are flattened). */
  children: QueryNode[];
}

export type QueryNode = Condition | Combination;

export interface ContactQuery {
  root: QueryNode;
  /** False when parsed without a resolver: field types, groups and flows were then not checked. */
  resolved: boolean;
}

/** Name tokens are compared on their first 8 characters, like RapidPro's edge n-gram index. */
export const NAME_PREFIX_LENGTH = 8;
