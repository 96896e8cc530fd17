/** An engine event in goflow's JSON shape: `uuid`, `type`, `created_on` plus type fields. */
export interface FlowEvent { uuid: string; type: string; created_on: string; [field: string]: unknown }

export type EventLogger = (type: string, fields?: Record<string, unknown>) => FlowEvent;

/** A segment of the path taken during a sprint (used by hosts for flow statistics). */
export interface Segment {
  flow_uuid: string; node_uuid: string; exit_uuid: string; operand?: string; destination_uuid: string; time: string;
}

export const ErrorCodes = {
  actionUnsupported: 'action:unsupported',
  dependencyMissing: 'dependency:missing',
  groupMissing: 'group:missing',
  labelMissing: 'label:missing',
  timezoneInvalid: 'timezone:invalid',
  urlBlocked: 'url:blocked',
  urlInvalid: 'url:invalid',
  urnInvalid: 'urn:invalid',
  urnTaken: 'urn:taken',
  userMissing: 'user:missing',
  expression: 'expression',
  expressionTooComplex: 'expression:too_complex',
  webhookRequestSize: 'webhook:request_size',
} as const;

/** Fields of an `error` event. */
export function errorFields(text: string, code?: string, extra?: Record<string, unknown>): Record<string, unknown> {
  const f: Record<string, unknown> = { text };
  if (code) f.code = code;
  if (extra) f.extra = extra;
  return f;
}

/** Error for a reference to an asset that doesn't exist. */
export function dependencyError(kind: string, ref: { uuid?: string; name?: string; key?: string }) {
  const [idName, id] = ref.key !== undefined ? ['key', ref.key] : ['uuid', ref.uuid ?? ''];
  return errorFields(
    `Missing dependency: ${kind}[${idName}=${id},name=${ref.name ?? ''}]`,
    ErrorCodes.dependencyMissing,
    { type: kind, identity: id },
  );
}

