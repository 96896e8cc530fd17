import type { Condition, ConditionValue, FieldType, Operator, QueryProperty } from './ast.ts';
import { parseQueryDay } from './dates.ts';
import type { QueryEnvironment } from './environment.ts';
import { QueryError } from './errors.ts';
import { isLanguageCode } from './languages.ts';
import { namePrefixes, nameTokens } from './names.ts';
import { parseQueryNumber } from './numbers.ts';
import { ALWAYS_SET, ATTRIBUTE_TYPES, CONTACT_STATUSES, isAttribute } from './properties.ts';
import type { RawCondition } from './raw.ts';
import type { QueryResolver } from './resolver.ts';

const MIN_NAME_TOKEN_LENGTH = 2;
// URN contains is served by trigram indexes, so shorter values can't be searched
const MIN_URN_CONTAINS_LENGTH = 3;
const utf8 = new TextEncoder();

interface Context {
  env: QueryEnvironment;
  resolver: QueryResolver | undefined;
  now: Date;
}

/**
 * Checks one condition as RapidPro does, in RapidPro's order (so the same error wins when several
 * apply), and gives its value the type of its property.
 */
export function validateCondition(raw: RawCondition, ctx: Context): Condition {
  const { key, operator, value } = raw;
  const isUrnProperty = raw.kind === 'urn' || (raw.kind === 'attribute' && key === 'urn');

  if (isUrnProperty && ctx.env.redactionPolicy === 'urns' && value !== '') {
    throw new QueryError('redacted_urns', 'cannot query on redacted URNs');
  }

  const property = resolveProperty(raw, ctx.resolver);
  if (property.kind === 'field' && !ctx.resolver) {
    return { type: 'condition', property, operator, raw: value, value: untypedValue(value, operator) };
  }
  const valueType = property.valueType;
  if (valueType === null) {
    throw new QueryError('unknown_property', `can't resolve '${key}' to attribute, scheme or field`, { property: key });
  }

  checkOperator(raw, isUrnProperty, valueType);

  const isSetCheck = (operator === '=' || operator === '!=') && value === '';
  if (isSetCheck) {
    if (ALWAYS_SET.has(key)) {
      throw new QueryError('unsupported_setcheck', `can't check whether '${key}' is set or not set`, { property: key, operator });
    }
    return { type: 'condition', property, operator, raw: value, value: { kind: 'empty' } };
  }
  return { type: 'condition', property, operator, raw: value, value: typedValue(raw, valueType, ctx) };
}

function resolveProperty(raw: RawCondition, resolver: QueryResolver | undefined): QueryProperty {
  if (raw.kind === 'attribute' && isAttribute(raw.key)) {
    return { kind: 'attribute', key: raw.key, valueType: ATTRIBUTE_TYPES[raw.key] };
  }
  if (raw.kind === 'urn') return { kind: 'urn', scheme: raw.key, valueType: 'text' };
  const field = resolver?.resolveField(raw.key) ?? null;
  return { kind: 'field', key: raw.key, valueType: field?.type ?? null, field };
}

function checkOperator(raw: RawCondition, isUrnProperty: boolean, valueType: FieldType): void {
  const { key, operator, value } = raw;
  if (operator === '~') {
    if (raw.kind === 'attribute' && key === 'name') {
      if (nameTokens(value).length === 0) {
        throw new QueryError('invalid_partial_name', `contains operator on name requires token of minimum length ${MIN_NAME_TOKEN_LENGTH}`, {
          min_token_length: String(MIN_NAME_TOKEN_LENGTH),
        });
      }
    } else if (isUrnProperty) {
      if (utf8.encode(value).length < MIN_URN_CONTAINS_LENGTH) {
        throw new QueryError('invalid_partial_urn', `contains operator on URN requires value of minimum length ${MIN_URN_CONTAINS_LENGTH}`, {
          min_value_length: String(MIN_URN_CONTAINS_LENGTH),
        });
      }
    } else {
      throw new QueryError('unsupported_contains', 'contains conditions can only be used with name or URN values', { property: key });
    }
  } else if (isOrdering(operator) && valueType !== 'number' && valueType !== 'datetime') {
    throw new QueryError('unsupported_comparison', `comparisons with ${operator} can only be used with date and number fields`, {
      property: key,
      operator,
    });
  }
}

function typedValue(raw: RawCondition, valueType: FieldType, ctx: Context): ConditionValue {
  const { key, value } = raw;
  if (valueType === 'number') {
    const number = parseQueryNumber(value);
    if (number === null) throw new QueryError('invalid_number', `can't convert '${value}' to a number`, { value });
    return { kind: 'number', number };
  }
  if (valueType === 'datetime') {
    const day = parseQueryDay(value, ctx.env, ctx.now);
    if (day === null) throw new QueryError('invalid_date', `can't convert '${value}' to a date`, { value });
    return { kind: 'datetime', ...day };
  }
  if (raw.kind === 'attribute') {
    if (key === 'group' && ctx.resolver) {
      const group = ctx.resolver.resolveGroup(value);
      if (!group) throw new QueryError('invalid_group', `'${value}' is not a valid group name`, { value });
      return { kind: 'group', group };
    }
    if ((key === 'flow' || key === 'history') && ctx.resolver) {
      const flow = ctx.resolver.resolveFlow(value);
      if (!flow) throw new QueryError('invalid_flow', `'${value}' is not a valid flow name`, { value });
      return { kind: 'flow', flow };
    }
    if (key === 'status' && !CONTACT_STATUSES.has(value.toLowerCase())) {
      throw new QueryError('invalid_status', `'${value}' is not a valid contact status`, { value });
    }
    if (key === 'language' && value !== '' && !isLanguageCode(value)) {
      throw new QueryError('invalid_language', `'${value}' is not a valid language code`, { value });
    }
    if (key === 'name' && raw.operator === '~') return { kind: 'name_prefixes', prefixes: namePrefixes(value) };
  }
  return textValue(value);
}

/** Without a resolver a field's type is unknown, so its value stays text. */
function untypedValue(value: string, operator: Operator): ConditionValue {
  return (operator === '=' || operator === '!=') && value === '' ? { kind: 'empty' } : textValue(value);
}

function textValue(text: string): ConditionValue {
  return { kind: 'text', text, normalized: text.trim().toLowerCase() };
}

function isOrdering(op: Operator): boolean {
  return op === '>' || op === '>=' || op === '<' || op === '<=';
}
