import pg from 'pg';

/**
 * Type parsing shared by every pool: timestamps stay strings so microseconds survive (JS Dates keep
 * only milliseconds and RapidPro renders six fractional digits); int8 ids become numbers (ids stay
 * far below 2^53).
 */
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const INT8 = 20;
const DATE = 1082;

export const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ || oid === TIMESTAMP || oid === DATE) return (v: string) => v;
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;
