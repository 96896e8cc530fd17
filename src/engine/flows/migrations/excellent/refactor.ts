import { scanTemplate } from './scanner.ts';
import { type Expression, parseExpression, printExpression } from './expression.ts';

/**
 * Rewrites the expressions of a template. `transform` mutates a parsed expression and says whether it
 * changed anything; unchanged or unparseable expressions keep their original text exactly.
 */
export function refactorTemplate(
  template: string,
  topLevels: readonly string[],
  transform: (e: Expression) => boolean,
): string {
  let out = '';
  for (const tok of scanTemplate(template, { topLevels, unescapeBody: false })) {
    if (tok.type === 'body') {
      out += tok.text;
      continue;
    }
    let text = tok.text;
    try {
      const parsed = parseExpression(tok.text);
      if (transform(parsed)) text = printExpression(parsed);
    } catch {
      // a broken expression is left as the author wrote it
    }
    out += tok.type === 'identifier' ? '@' + text : '@(' + text + ')';
  }
  return out;
}
