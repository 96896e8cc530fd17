import { defaultEnvironment, readEnvironment, type Environment } from '../../environment.ts';
import { newEngine, type Engine } from '../engine.ts';
import { GoPCG, goUUIDv4Generator, goUUIDv7Generator, steppingClock, TEST_SUB_NANOS } from './determinism.ts';
import { MockAirtimeService, MockEmailService, MockLLMService, MockWebhookService, type MockResponse } from './mocks.ts';

export const RESPONSE_LIMIT = 100_000;
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** An environment with the deterministic clock and random source, from goflow env JSON or defaults. */
export interface TestEnvironment extends Environment {
  /** The random generator behind `random()`, also used for other random draws (airtime ids). */
  pcg: GoPCG;
  /** UUIDs as upstream's test universe makes them (one seeded source for both kinds). */
  uuidV4: () => string;
  uuidV7: () => string;
}

export function testEnvironment(json: unknown = null, overrides: Partial<Environment> = {}): TestEnvironment {
  const now = steppingClock();
  const pcg = new GoPCG();
  // upstream's test clock carries nanoseconds (…45.123456789Z)
  const base = { now, nowNanos: () => TEST_SUB_NANOS, random: () => pcg.float64(), ...overrides };
  const env = json ? readEnvironment(json, base) : defaultEnvironment(base);
  const uuidSource = new GoPCG();
  const uuidV7 = goUUIDv7Generator(uuidSource, () => env.now(), () => env.nowNanos?.() ?? 0);
  return Object.assign(env, { pcg, uuidV4: goUUIDv4Generator(uuidSource), uuidV7 });
}

/** An engine configured like upstream's test engine, answering HTTP from the given mocks. */
export function testEngine(env: TestEnvironment, mocks: Record<string, MockResponse[]> = {}, opts: { smtpError?: string; maxFieldChars?: number } = {}): { engine: Engine; webhook: MockWebhookService } {
  const webhook = new MockWebhookService(mocks, RESPONSE_LIMIT, () => env.now());
  const engine = newEngine(
    {
      webhook,
      email: new MockEmailService(opts.smtpError),
      llm: new MockLLMService(),
      airtime: new MockAirtimeService('RWF', () => Array.from({ length: 10 }, () => ID_CHARS[env.pcg.intN(ID_CHARS.length)]).join('')),
      blockedDomains: ['graph.facebook.com'],
      llmPrompts: {
        categorize: "Categorize the following text into one of the following categories and only return that category or <CANT> if you can't: {{ .arg1 }}",
      },
      claimURN: (_c, urn) => !urn.includes('taken'),
      checkSendable: (_c, text) => (text.includes('FORBIDDEN') ? 'forbidden_content' : ''),
    },
    {
      maxWebhookResponseBytes: RESPONSE_LIMIT,
      newUUID: env.uuidV7,
      newTimelessUUID: env.uuidV4,
      ...(opts.maxFieldChars ? { maxFieldChars: opts.maxFieldChars } : {}),
    },
  );
  return { engine, webhook };
}
