/** RapidPro's contactql error codes; `extra` carries the values named beside each. */
export type QueryErrorCode =
  | 'syntax'
  | 'invalid_number' // value
  | 'invalid_date' // value
  | 'invalid_status' // value
  | 'invalid_language' // value
  | 'invalid_group' // value
  | 'invalid_flow' // value
  | 'invalid_partial_name' // min_token_length
  | 'invalid_partial_urn' // min_value_length
  | 'unsupported_contains' // property
  | 'unsupported_comparison' // property, operator
  | 'unsupported_setcheck' // property, operator
  | 'unknown_property_type' // type
  | 'unknown_property' // property
  | 'redacted_urns'
  | 'too_complex';

/** A query the user wrote is not acceptable; message and extra are RapidPro's, word for word. */
export class QueryError extends Error {
  readonly code: QueryErrorCode;
  readonly extra: Record<string, string> | null;

  constructor(code: QueryErrorCode, message: string, extra: Record<string, string> | null = null) {
    super(message);
    this.name = 'QueryError';
    this.code = code;
    this.extra = extra;
  }

  toJSON(): { code: QueryErrorCode; message: string; extra: Record<string, string> | null } {
    return { code: this.code, message: this.message, extra: this.extra };
  }
}

/** The one message for every size limit, so a caller can't probe which limit it hit. */
export function tooComplex(): QueryError {
  return new QueryError('too_complex', 'query is too complex');
}
