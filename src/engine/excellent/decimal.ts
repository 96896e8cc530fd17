// One Decimal configuration for the whole module: enough precision that exact operands stay exact
// (RapidPro bounds numbers to 36 significant digits and exponents within ±100).
import { Decimal as DecimalJs } from 'decimal.js';

export const Decimal = DecimalJs.clone({ precision: 120, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -200, toExpPos: 200, minE: -9e15, maxE: 9e15 });
export type Decimal = DecimalJs;
