// Public API of the Excellent expression and template language.
export * from './values.ts';
export {
  describe, render, truthy, toXText, toXBoolean, toXNumber, toInteger, toXDateTime, toXDate, toXTime, toXArray, toXObject,
  toXValue, toJSON, toJSONText, parseJSONText, xEquals,
} from './convert.ts';
export { renderDateTime, renderDate, renderTime, parseDateTime, parseDate, parseTimeOfDay, dateTimeFromParts, envNow } from './dates.ts';
export { parseStrictNumber, formatNumber, renderNumber } from './numbers.ts';
export { evaluateTemplate, evaluateTemplateValue, evaluateExpression, compileTemplate, evaluateCompiled, CompiledTemplate, type EvalError, type TemplateResult, type ValueResult } from './template.ts';
export { scanTemplate, type TemplatePart } from './scanner.ts';
export { parseExpression } from './parser.ts';
export { callFunction, ROOT_CONTEXT_KEYS, functionExists } from './api.ts';
