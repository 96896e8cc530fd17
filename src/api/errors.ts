/**
 * An HTTP error with RapidPro's JSON body. Models and validators throw these; the server renders
 * them once. Bodies follow DRF: `{"detail": "..."}` or `{"field": ["message", ...]}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body === 'object' && body && 'detail' in body ? String((body as any).detail) : `HTTP ${status}`);
  }
}

export const detail = (status: number, message: string) => new ApiError(status, { detail: message });
export const notFound = () => detail(404, 'Not found.');
export const badRequest = (message: string) => detail(400, message);
export const permissionDenied = () => detail(403, 'You do not have permission to perform this action.');
export const methodNotAllowed = (method: string) => detail(405, `Method "${method}" not allowed.`);
export const limitReached = () => detail(409, 'Cannot create object because workspace has reached limit.');
export const cannotModifySystem = () => detail(403, 'Cannot modify system object.');
export const cannotDeleteSystem = () => detail(403, 'Cannot delete system object.');

/** A serializer's field errors: every bad field reported together, as DRF does. */
export type FieldErrors = Record<string, unknown>;
export const validationError = (errors: FieldErrors) => new ApiError(400, errors);
