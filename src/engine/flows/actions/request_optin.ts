import { ErrorCodes, errorFields } from '../core/events.ts';
import { defineAction, ONLINE } from './support/types.ts';

export default defineAction({
  type: 'request_optin',
  flowTypes: ONLINE,
  execute(_run, _step, _a, log) {
    log('error', errorFields('opt-in requests are no longer supported', ErrorCodes.actionUnsupported));
  },
});
