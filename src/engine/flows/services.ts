import type { Contact } from './core/contact.ts';
import type { SessionAssets } from './assets.ts';

/** An outgoing HTTP request as the webhook actions build it. */
export interface HTTPRequest { method: string; url: string; headers: [string, string][]; body: string }

/** What a webhook service reports back; `request`/`response` are raw HTTP dumps for logging. */
export interface HTTPResult {
  /** Absent when no connection could be made. */
  statusCode?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  request: string;
  response: string;
  elapsedMs: number;
  retries: number;
  sizes: { request: number; response: number };
  /** Set when no response could be had (connection failed, or the response exceeded the size limit). */
  error?: 'connection' | 'response_size';
  errorText?: string;
}

export interface WebhookService {
  call(request: HTTPRequest): Promise<HTTPResult>;
}

export interface EmailService { send(to: string[], subject: string, body: string): Promise<void> }

export interface AirtimeTransfer {
  externalId: string; sender: string; recipient: string; currency: string; amount: number | string;
}
/** Logs are HTTP logs in goflow's JSON shape (url, status_code, request, response, ..., created_on). */
export interface AirtimeService {
  transfer(sender: string, recipient: string, amounts: Record<string, number | string>): Promise<{ transfer?: AirtimeTransfer; error?: string; httpLogs: unknown[] }>;
}

export interface LLMResponse { output: string; tokens: { input: number; output: number } }
export interface LLMService {
  response(llm: { uuid: string; name: string; type: string }, instructions: string, input: string, maxTokens: number): Promise<LLMResponse>;
}

/** Decides whether a contact query (smart group) matches a contact. */
export type GroupQueryEvaluator = (query: string, contact: Contact, assets: SessionAssets) => boolean;

/** Host callbacks and services the engine calls out to; every one is optional. */
export interface EngineServices {
  webhook?: WebhookService;
  email?: EmailService;
  airtime?: AirtimeService;
  llm?: LLMService;
  /** Rendered LLM prompts by name (used by `prompt()` in call_llm instructions). */
  llmPrompts?: Record<string, string>;
  /** Returns an unsendable reason for a message, or '' to allow it. */
  checkSendable?: (contact: Contact, text: string) => string;
  /** Whether the contact may take this URN (false ⇒ `urn:taken`). */
  claimURN?: (contact: Contact, urn: string) => boolean;
  /** Smart group evaluator; defaults to the contactql module's evaluator when present. */
  groupQuery?: GroupQueryEvaluator;
  /** Blocked webhook domains. */
  blockedDomains?: string[];
}
