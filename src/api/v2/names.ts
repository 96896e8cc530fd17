import { ApiError } from '../errors.ts';
import { BodyValidator, nameValidators, requireObjectBody } from '../validation.ts';
import { isUniqueViolation } from '../uuid-lookup.ts';

/**
 * The body of a group, label or topic write: just `name` (required, ≤64, the name rules of §3.11)
 * which must not be used by another active object of the workspace, ignoring case. Updates need the
 * same body as creates. Returns the trimmed name or throws the 400 with every message, as DRF does.
 */
export async function validateNameBody(body: unknown, isTaken: (name: string) => Promise<boolean>): Promise<string> {
  const v = new BodyValidator(requireObjectBody(body));
  const name = v.string('name', { required: true, ...nameValidators(64) });
  if (typeof name === 'string' && (await isTaken(name))) v.fail('name', ['This field must be unique.']);
  v.throwIfInvalid();
  return name as string;
}

/** Runs a create/rename; a concurrent write that took the name first is the same 400 as above. */
export async function saveNamed<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ApiError(400, { name: ['This field must be unique.'] });
    throw err;
  }
}
