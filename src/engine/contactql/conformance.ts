import { readFileSync } from 'node:fs';
import path from 'node:path';
import { emptyResult, type ConformanceSet, type SetResult } from '../../conformance/harness.ts';
import type { AssetRef, FieldRef } from './ast.ts';
import type { DateFormat, QueryEnvironment } from './environment.ts';
import { QueryError } from './errors.ts';
import { parseQuery } from './parse.ts';
import { printQuery } from './print.ts';
import { staticResolver, type QueryResolver } from './resolver.ts';

interface ParseCase {
  query: string;
  parsed?: string;
  error?: string;
  redact_urns?: boolean;
  /** Absent: the file's default resolver; null: parsed without one. */
  resolver?: null;
}

interface ParseCasesFile {
  resolver: { fields: FieldRef[]; groups: AssetRef[]; flows: AssetRef[] };
  environment: { date_format: DateFormat; default_country: string };
  cases: ParseCase[];
}

/** What parsing gave, in the file's terms: the canonical form or the error message. */
function outcome(c: ParseCase, env: QueryEnvironment, resolver: QueryResolver | undefined): { parsed?: string; error?: string } {
  try {
    return { parsed: printQuery(parseQuery(c.query, env, resolver)) };
  } catch (e) {
    if (e instanceof QueryError) return { error: e.message };
    throw e;
  }
}

const matches = (c: ParseCase, got: { parsed?: string; error?: string }) =>
  c.error !== undefined ? got.error === c.error : got.parsed === c.parsed && got.error === undefined;

const describe = (got: { parsed?: string; error?: string }) =>
  got.error !== undefined ? `error ${JSON.stringify(got.error)}` : `parsed ${JSON.stringify(got.parsed)}`;

/** Replays goflow's parse_test.go table: query → canonical form, or → error message. */
export function runContactqlParse(dir: string): SetResult {
  const result = emptyResult('contactql_parse');
  const file = JSON.parse(readFileSync(path.join(dir, 'goflow', 'contactql_parse_cases.json'), 'utf8')) as ParseCasesFile;
  const defaultResolver = staticResolver(file.resolver);

  for (const [i, c] of file.cases.entries()) {
    const env: QueryEnvironment = {
      timezone: 'UTC',
      dateFormat: file.environment.date_format,
      defaultCountry: file.environment.default_country,
      redactionPolicy: c.redact_urns ? 'urns' : 'none',
    };
    const resolver = c.resolver === null ? undefined : defaultResolver;
    const got = outcome(c, env, resolver);
    if (matches(c, got)) {
      result.passed++;
      continue;
    }
    result.failed++;
    const want = c.error !== undefined ? `error ${JSON.stringify(c.error)}` : `parsed ${JSON.stringify(c.parsed)}`;
    // the file does not mark the cases upstream ran without a resolver; say so when that explains it
    const hint = c.resolver === undefined && matches(c, outcome(c, env, undefined)) ? ' (matches when parsed without a resolver)' : '';
    result.failures.push({ name: `#${i} ${c.query}`, reason: `expected ${want}, got ${describe(got)}${hint}` });
  }
  return result;
}

export const sets: ConformanceSet[] = [{ name: 'contactql_parse', run: runContactqlParse }];
