// The flow engine: runs RapidPro flow definitions (spec 14.4.2) as sessions of runs for one contact,
// turning triggers and resumes into new session state plus events. Pure: clock, randomness and UUIDs
// come from the Environment / options, outside calls (webhooks, email, airtime, LLMs) from services.
export { newEngine, type Engine, type SprintResult } from './engine.ts';
export { EngineError } from './execution.ts';
export { readAssets, SessionAssets, type AssetsSource } from './assets.ts';
export { Contact, type FieldValue, type ContactStatus } from './core/contact.ts';
export type { FlowEvent, Segment } from './core/events.ts';
export { Flow, CURRENT_SPEC_VERSION, type FlowType } from './definition/flow.ts';
export { readFlow } from './definition/read.ts';
export { extractLocalizables, extractTemplates } from './definition/text.ts';
export { inspectFlow, type FlowInfo, type ResultSpec } from './definition/inspect.ts';
export { Session, type Call, type SessionStatus } from './session.ts';
export { Run, type RunStatus } from './run.ts';
export { readTrigger, type Trigger } from './triggers.ts';
export { readResume, type Resume } from './resumes.ts';
export { DEFAULT_OPTIONS, type EngineOptions } from './options.ts';
export type * from './services.ts';
export { uuidV4Generator, uuidV7Generator, type UUIDGenerator } from './core/uuids.ts';
export { buildRootContext, sessionContext } from './context/root.ts';
export { ACTION_TYPES } from './actions/registry.ts';
export { MODIFIER_TYPES } from './modifiers/read.ts';
