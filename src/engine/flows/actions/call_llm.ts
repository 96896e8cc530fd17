import { dependencyError } from '../core/events.ts';
import type { ActionDef } from '../definition/flow.ts';
import { str } from './support/helpers.ts';
import { defineAction, uuidRefs, ONLINE } from './support/types.ts';

const ERROR_OUTPUT = '<ERROR>';
const MAX_TOKENS = 2500;

interface CallLLM extends ActionDef {
  llm: { uuid: string; name: string }; instructions: string; input?: string; output_local: string;
}

/** Asks the host's LLM service; the output (or <ERROR>) goes into a local. */
export default defineAction<CallLLM>({
  type: 'call_llm',
  flowTypes: ONLINE,
  inspect: (a, add) => {
    uuidRefs('llm', a.llm, add);
    add.local(a.output_local);
  },
  textFields: [{ name: 'instructions', evaluated: true }, { name: 'input', evaluated: true }],
  async execute(run, _step, a, log) {
    run.locals[a.output_local] = ERROR_OUTPUT;
    const llm = run.session.assets.llm(a.llm?.uuid);
    if (!llm) {
      log('error', dependencyError('llm', a.llm));
      return;
    }
    if (!(llm.roles ?? []).includes('engine')) {
      log('error', { text: `LLM ${a.llm.uuid} does not have the engine role` });
      return;
    }
    const [instructions] = run.evaluate(str(a.instructions), log);
    const [input] = run.evaluate(str(a.input), log);
    const service = run.session.services.llm;
    if (!service) {
      log('error', { text: 'no LLM service configured' });
      return;
    }
    const start = run.session.env.now().getTime();
    try {
      const resp = await service.response(llm, instructions, input, MAX_TOKENS);
      const elapsed = run.session.env.now().getTime() - start;
      log('llm_called', {
        llm: { uuid: llm.uuid, name: llm.name }, instructions, input, output: resp.output, tokens: resp.tokens, elapsed_ms: elapsed,
      });
      run.locals[a.output_local] = resp.output;
    } catch (e) {
      log('error', { text: (e as Error).message });
    }
  },
});
