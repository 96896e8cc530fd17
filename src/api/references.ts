import type { ApiContext } from './endpoint.ts';
import type { BodyValidator } from './validation.ts';
import { resolveContactRefs, findGroupsByRefs, type ContactRow } from '../models/contacts.ts';
import { urnIdentityOfReference } from '../models/urns.ts';

export const MAX_REFERENCES = 100;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A list of references: ≤100 items, each a string or an integer (RapidPro's reference fields). */
function referenceList(v: BodyValidator, name: string, raws: unknown[]): string[] | undefined {
  if (raws.length > MAX_REFERENCES) return v.fail(name, [`Ensure this field has no more than ${MAX_REFERENCES} elements.`]);
  for (const r of raws) if (typeof r !== 'string' && typeof r !== 'number') return v.fail(name, ['Must be a string or integer']);
  return raws.map(String);
}

/**
 * Contact references (UUID as written, or a URN normalised without the workspace country)
 * resolved in two queries; the first unknown one is the error, as DRF reports a many-field.
 */
export async function contactReferences(v: BodyValidator, ctx: ApiContext, name: string, raws: unknown[]): Promise<ContactRow[] | undefined> {
  const refs = referenceList(v, name, raws);
  if (!refs) return undefined;
  const found = await resolveContactRefs(ctx.db, ctx.workspace.id, refs.map((s) => ({ uuid: CANONICAL_UUID.test(s) ? s : undefined, identity: urnIdentityOfReference(s) ?? undefined })));
  const missing = found.findIndex((c) => !c);
  if (missing >= 0) return v.fail(name, [`No such object: ${refs[missing]}`]);
  return found as ContactRow[];
}

/** Group references by UUID or case-insensitive name (manual and smart groups). */
export async function groupReferences(v: BodyValidator, ctx: ApiContext, name: string, raws: unknown[]) {
  const refs = referenceList(v, name, raws);
  if (!refs) return undefined;
  const groups = await findGroupsByRefs(ctx.db, ctx.workspace.id, refs);
  const out = [];
  for (const ref of refs) {
    const g = groups.find((x) => x.uuid === ref.toLowerCase() || x.name.toLowerCase() === ref.toLowerCase());
    if (!g) return v.fail(name, [`No such object: ${ref}`]);
    out.push(g);
  }
  return out;
}
