import type { Operator } from './ast.ts';

/** A condition once its property kind is known but before validation gives its value a type. */
export interface RawCondition {
  kind: 'attribute' | 'urn' | 'field';
  key: string;
  operator: Operator;
  value: string;
}

export type RawNode = RawCondition | { kind: 'and' | 'or'; children: RawNode[] };
