import type { Modifier } from './apply.ts';
import { routesModifier, type RoutesModification } from './routes.ts';

/** Changes URNs without affinities (set keeps the affinity of URNs the contact already has). */
export const urnsModifier = (urns: string[], mode: RoutesModification): Modifier =>
  routesModifier(urns.map((urn) => ({ urn })), mode);
