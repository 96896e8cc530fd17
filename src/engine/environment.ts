// The engine environment: everything locale- and clock-dependent that template evaluation and the flow
// engine read. Clock and randomness are injected so evaluation stays pure and replayable.

export type DateFormat = 'YYYY-MM-DD' | 'MM-DD-YYYY' | 'DD-MM-YYYY';
export type TimeFormat = 'tt:mm' | 'h:mm aa' | 'tt:mm:ss' | 'h:mm:ss aa' | string;
export type Collation = 'default' | 'confusables' | 'arabic_variants' | string;

export interface NumberFormat {
  decimalSymbol: string;
  digitGroupingSymbol: string;
}

/** One administrative boundary (country, state, district, ward) as the location tests see it. */
export interface Location {
  name: string;
  aliases?: string[];
  children?: Location[];
}

export interface Environment {
  dateFormat: DateFormat;
  timeFormat: TimeFormat;
  /** IANA zone name, e.g. `America/Guayaquil`. */
  timezone: string;
  allowedLanguages: string[];
  /** ISO 639-3 code; with defaultCountry gives the locale used for month/day names. */
  defaultLanguage?: string;
  /** ISO 3166-1 alpha-2. */
  defaultCountry?: string;
  numberFormat: NumberFormat;
  inputCollation: Collation;
  redactionPolicy: 'none' | 'urns';
  /** The injected clock; evaluation never reads the wall clock. */
  now(): Date;
  /** Extra nanoseconds (0–999999) to add to now() for sub-millisecond precision, as Go clocks have. */
  nowNanos?(): number;
  /** The injected random source, uniform in [0, 1). */
  random(): number;
  obfuscationKey?: number[];
  /** Root of the location hierarchy (the country) for has_state/has_district/has_ward. */
  locations?: Location;
  /** LLM prompt templates by name for prompt(); `{{arg1}}`-style placeholders are filled. */
  llmPrompts?: Record<string, string>;
}

const DATE_FORMATS: DateFormat[] = ['YYYY-MM-DD', 'MM-DD-YYYY', 'DD-MM-YYYY'];

export function defaultEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    dateFormat: 'YYYY-MM-DD',
    timeFormat: 'tt:mm',
    timezone: 'UTC',
    allowedLanguages: [],
    numberFormat: { decimalSymbol: '.', digitGroupingSymbol: ',' },
    inputCollation: 'default',
    redactionPolicy: 'none',
    now: () => new Date(0),
    random: () => 0,
    ...overrides,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Reads goflow's environment JSON (`date_format`, `time_format`, `timezone`, ...) over a base. */
export function readEnvironment(json: unknown, base: Partial<Environment> = {}): Environment {
  const j = (json && typeof json === 'object' ? json : {}) as Record<string, unknown>;
  const env = defaultEnvironment(base);
  const df = str(j.date_format);
  if (df && (DATE_FORMATS as string[]).includes(df)) env.dateFormat = df as DateFormat;
  const tf = str(j.time_format);
  if (tf) env.timeFormat = tf;
  const tz = str(j.timezone);
  if (tz) env.timezone = tz;
  if (Array.isArray(j.allowed_languages)) env.allowedLanguages = j.allowed_languages.filter((l): l is string => typeof l === 'string');
  const lang = str(j.default_language);
  if (lang) env.defaultLanguage = lang;
  const country = str(j.default_country);
  if (country) env.defaultCountry = country;
  const nf = j.number_format as Record<string, unknown> | undefined;
  if (nf && typeof nf === 'object') {
    env.numberFormat = {
      decimalSymbol: str(nf.decimal_symbol) ?? env.numberFormat.decimalSymbol,
      digitGroupingSymbol: str(nf.digit_grouping_symbol) ?? env.numberFormat.digitGroupingSymbol,
    };
  }
  const coll = str(j.input_collation);
  if (coll) env.inputCollation = coll;
  if (j.redaction_policy === 'urns' || j.redaction_policy === 'none') env.redactionPolicy = j.redaction_policy;
  return env;
}
