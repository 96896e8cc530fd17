/** The date orders RapidPro knows; the order decides how `01-02-2020` is read. */
export type DateFormat = 'YYYY-MM-DD' | 'MM-DD-YYYY' | 'DD-MM-YYYY';

/**
 * The part of the engine environment that contactql reads. The full engine Environment is meant to
 * satisfy this structurally, so it is declared here rather than imported.
 */
export interface QueryEnvironment {
  /** IANA zone in which a query date such as `created_on = 2020-01-02` names a calendar day. */
  timezone: string;
  dateFormat: DateFormat;
  /** ISO 3166-1 alpha-2 country used to read national phone numbers; empty or absent when unknown. */
  defaultCountry?: string | null;
  /** 'urns' for anonymous workspaces: URN values may not be searched. */
  redactionPolicy: 'none' | 'urns';
}

/** Values that only matter in rare corners of parsing and are otherwise read from the clock. */
export interface ParseOptions {
  /**
   * The moment "now", used only to pivot two-digit years in dates (above the current year mod 1000
   * means 19xx). Defaults to the clock; pass the engine's own notion of now to stay deterministic.
   */
  now?: Date;
}
