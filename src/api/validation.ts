import { ApiError } from './errors.ts';

/** Python type names, as they appear in DRF's "got type" messages. */
export function pythonType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return 'dict';
}

export interface StringRules {
  required?: boolean;
  allowNull?: boolean;
  allowBlank?: boolean;
  maxLength?: number;
  /** Extra validators run after the built-in ones; each returns error messages (DRF runs all). */
  validators?: ((value: string) => string[])[];
  /** Validators that DRF runs before max_length / null-character checks (model field validators). */
  preValidators?: ((value: string) => string[])[];
}

/**
 * Collects a serializer's field errors the way DRF does: each field validated on its own, every
 * bad field reported together, cross-field (non_field_errors) checks only once fields are valid.
 */
export class BodyValidator {
  readonly errors: Record<string, unknown> = {};

  constructor(readonly body: Record<string, unknown>) {}

  has(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.body, name);
  }

  fail(name: string, messages: unknown): undefined {
    this.errors[name] = messages;
    return undefined;
  }

  /** DRF CharField: numbers stringified, whitespace trimmed, blank/null/length/null-char rules. */
  string(name: string, rules: StringRules = {}): string | null | undefined {
    if (!this.has(name)) return rules.required ? this.fail(name, ['This field is required.']) : undefined;
    const raw = this.body[name];
    if (raw === null) return rules.allowNull ? null : this.fail(name, ['This field may not be null.']);
    if (typeof raw !== 'string' && typeof raw !== 'number') return this.fail(name, ['Not a valid string.']);
    const value = String(raw).trim();
    if (value === '' && !rules.allowBlank) return this.fail(name, ['This field may not be blank.']);
    const messages: string[] = [];
    for (const v of rules.preValidators ?? []) messages.push(...v(value));
    if (rules.maxLength !== undefined && value.length > rules.maxLength) {
      messages.push(`Ensure this field has no more than ${rules.maxLength} characters.`);
    }
    if (value.includes('\0')) messages.push('Null characters are not allowed.');
    if (!messages.length) for (const v of rules.validators ?? []) messages.push(...v(value));
    return messages.length ? this.fail(name, messages) : value;
  }

  /** DRF ChoiceField. */
  choice<T extends string>(name: string, choices: readonly T[], rules: { required?: boolean } = {}): T | undefined {
    if (!this.has(name)) return rules.required ? this.fail(name, ['This field is required.']) : undefined;
    const raw = this.body[name];
    if (raw === null) return this.fail(name, ['This field may not be null.']);
    const value = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : JSON.stringify(raw);
    if (!(choices as readonly string[]).includes(value)) return this.fail(name, [`"${value}" is not a valid choice.`]);
    return value as T;
  }

  nonField(message: string): void {
    const list = (this.errors.non_field_errors as string[] | undefined) ?? [];
    list.push(message);
    this.errors.non_field_errors = list;
  }

  get valid(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  throwIfInvalid(): void {
    if (!this.valid) throw new ApiError(400, this.errors);
  }
}

/** Group, label, topic and campaign names (≤64, no `"` or `\`, no null characters). */
export function nameValidators(maxLength = 64): Pick<StringRules, 'preValidators' | 'maxLength'> {
  return {
    maxLength,
    preValidators: [
      (v) => {
        const out: string[] = [];
        if (v.length > maxLength) out.push(`Cannot be longer than ${maxLength} characters.`);
        if (v.includes('\0')) out.push('Cannot contain null characters.');
        for (const ch of ['"', '\\']) if (v.includes(ch)) out.push(`Cannot contain the character: ${ch}`);
        return out;
      },
    ],
  };
}

/** The parsed body must be a JSON object; lists and scalars are rejected before any field check. */
export function requireObjectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError(400, { non_field_errors: ['Request body should be a single JSON object'] });
  }
  return body as Record<string, unknown>;
}
