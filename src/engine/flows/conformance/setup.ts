import { defaultEnvironment, readEnvironment, type Environment } from '../../environment.ts';
import { uuidV7Generator } from '../core/uuids.ts';
import { newEngine, type Engine } from '../engine.ts';
import { seededRandom, steppingClock } from './determinism.ts';
import { MockAirtimeService, MockEmailService, MockLLMService, MockWebhookService, type MockResponse } from './mocks.ts';

export const RESPONSE_LIMIT = 100_000;

/** An environment with the deterministic clock and random source, from goflow env JSON or defaults. */
export function testEnvironment(json: unknown = null, overrides: Partial<Environment> = {}): Environment {
  const now = steppingClock();
  const random = seededRandom();
  const base = { now, random, ...overrides };
  return json ? readEnvironment(json, base) : defaultEnvironment(base);
}

/** An engine configured like upstream's test engine, answering HTTP from the given mocks. */
export function testEngine(env: Environment, mocks: Record<string, MockResponse[]> = {}, opts: { smtpError?: string; maxFieldChars?: number } = {}): { engine: Engine; webhook: MockWebhookService } {
  const webhook = new MockWebhookService(mocks, RESPONSE_LIMIT);
  const externalIds = seededRandom(42);
  const engine = newEngine(
    {
      webhook,
      email: new MockEmailService(opts.smtpError),
      llm: new MockLLMService(),
      airtime: new MockAirtimeService('RWF', () => Array.from({ length: 10 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[Math.floor(externalIds() * 36)]).join('')),
      blockedDomains: ['graph.facebook.com'],
      claimURN: (_c, urn) => !urn.includes('taken'),
      checkSendable: (_c, text) => (text.includes('FORBIDDEN') ? 'forbidden_content' : ''),
    },
    {
      maxWebhookResponseBytes: RESPONSE_LIMIT,
      newUUID: uuidV7Generator(() => env.now(), () => env.random()),
      ...(opts.maxFieldChars ? { maxFieldChars: opts.maxFieldChars } : {}),
    },
  );
  return { engine, webhook };
}
