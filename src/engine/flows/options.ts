import type { UUIDGenerator } from './core/uuids.ts';

/** Engine limits (goflow defaults) and the UUID source. */
export interface EngineOptions {
  maxStepsPerSprint: number;
  maxSprintsPerSession: number;
  maxRunsPerSession: number;
  maxTemplateChars: number;
  maxFieldChars: number;
  maxResultChars: number;
  /** Webhook limits in bytes. */
  maxWebhookRequestBytes: number;
  maxWebhookResponseBytes: number;
  /** Generator for every UUID the engine creates; defaults to v7 UUIDs from the environment's clock and random. */
  newUUID?: UUIDGenerator;
  /** Generator for UUIDs that carry no time (sprints); defaults to v4 UUIDs from the environment's random. */
  newTimelessUUID?: UUIDGenerator;
}

export const DEFAULT_OPTIONS: EngineOptions = {
  maxStepsPerSprint: 100,
  maxSprintsPerSession: 500,
  maxRunsPerSession: 500,
  maxTemplateChars: 10_000,
  maxFieldChars: 640,
  maxResultChars: 640,
  maxWebhookRequestBytes: 256 * 1024,
  maxWebhookResponseBytes: 256 * 1024,
};
