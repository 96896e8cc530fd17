// Contact query language (contactql): parse and validate queries into a resolved, typed tree, print
// them canonically, and evaluate them against one contact in memory.
export type * from './ast.ts';
export { NAME_PREFIX_LENGTH } from './ast.ts';
export type { DateFormat, ParseOptions, QueryEnvironment } from './environment.ts';
export { QueryError, type QueryErrorCode } from './errors.ts';
export { parseQuery, tryParseQuery, MAX_CONDITIONS, MAX_QUERY_DEPTH, MAX_QUERY_LENGTH } from './parse.ts';
export { printQuery, escapeQueryValue } from './print.ts';
export { staticResolver, type QueryResolver } from './resolver.ts';
export { evaluateQuery } from './evaluate.ts';
export type { QueryableContact, QueryableFieldValue } from './contact.ts';
export { inspectQuery, type QueryInspection } from './inspect.ts';
export { reevaluateSmartGroups, type SmartGroup } from './smart-groups.ts';
export { namePrefixes } from './names.ts';
