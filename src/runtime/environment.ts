import { defaultEnvironment, type Environment, type DateFormat } from '../engine/environment.ts';
import type { Workspace } from '../models/workspaces.ts';

const DATE_FORMATS: Record<string, DateFormat> = { day_first: 'DD-MM-YYYY', month_first: 'MM-DD-YYYY', year_first: 'YYYY-MM-DD' };

/**
 * The engine environment of a workspace, as mailroom builds it: date style, timezone, languages,
 * country, `tt:mm` times, URN redaction for anonymous workspaces. The runtime is where the world
 * enters the engine, so the clock and randomness here are real.
 */
export function workspaceEnvironment(ws: Workspace, clock: () => Date = () => new Date()): Environment {
  return defaultEnvironment({
    dateFormat: DATE_FORMATS[ws.dateStyle] ?? 'DD-MM-YYYY',
    timeFormat: 'tt:mm',
    timezone: ws.timezone,
    allowedLanguages: ws.languages,
    defaultLanguage: ws.languages[0],
    defaultCountry: ws.country || undefined,
    redactionPolicy: ws.isAnon ? 'urns' : 'none',
    now: clock,
    random: Math.random,
  });
}
