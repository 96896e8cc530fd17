// Expression syntax tree produced by the parser and walked by the evaluator.
import type { Decimal } from './decimal.ts';

export type BinaryOp = '^' | '*' | '/' | '+' | '-' | '<' | '<=' | '>' | '>=' | '=' | '!=' | '&';

export type Expr =
  | { k: 'ref'; name: string; lname: string }
  | { k: 'dot'; obj: Expr; key: string; lkey: string }
  | { k: 'index'; obj: Expr; index: Expr }
  | { k: 'call'; fn: Expr; args: Expr[] }
  | { k: 'lambda'; params: string[]; body: Expr }
  | { k: 'neg'; x: Expr }
  | { k: 'bin'; op: BinaryOp; l: Expr; r: Expr }
  | { k: 'paren'; x: Expr }
  | { k: 'text'; v: string }
  | { k: 'num'; v: Decimal }
  | { k: 'bool'; v: boolean }
  | { k: 'null' }
  | { k: 'error'; message: string };

/** Canonical source of an expression, as RapidPro prints it in messages like `x is not a function`. */
export function exprToString(e: Expr): string {
  switch (e.k) {
    case 'ref':
      return e.name.toLowerCase();
    case 'dot':
      return `${exprToString(e.obj)}.${e.key}`;
    case 'index':
      return `${exprToString(e.obj)}[${exprToString(e.index)}]`;
    case 'call':
      return `${exprToString(e.fn)}(${e.args.map(exprToString).join(', ')})`;
    case 'lambda':
      return `(${e.params.join(', ')}) => ${exprToString(e.body)}`;
    case 'neg':
      return `-${exprToString(e.x)}`;
    case 'bin':
      return `${exprToString(e.l)} ${e.op} ${exprToString(e.r)}`;
    case 'paren':
      return `(${exprToString(e.x)})`;
    case 'text':
      return JSON.stringify(e.v);
    case 'num':
      return e.v.toString();
    case 'bool':
      return String(e.v);
    case 'null':
      return 'null';
    case 'error':
      return 'ERROR';
  }
}
