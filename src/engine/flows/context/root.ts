import type { Environment } from '../../environment.ts';
import { X, type XVal } from '../expressions.ts';
import type { Run } from '../run.ts';
import type { Session } from '../session.ts';
import type { XObject } from '../expressions.ts';
import { contactContext, fieldsContext, lastTicketContext, urnsContext } from './contact.ts';
import { legacyExtraContext } from './legacy-extra.ts';
import { localsContext, relatedFromRun, relatedFromSummary, relatedRunContext, resultsContext, runContext } from './run.ts';
import { globalsContext, inputContext, resumeContext, triggerContext, webhookContext } from './session.ts';

function nodeContext(run: Run): XVal {
  const loc = run.location();
  if (!loc) return null;
  const { node } = loc;
  return X.lazyObject(() => ({
    props: {
      uuid: X.text(node.uuid),
      categories: X.array((node.router?.categories ?? []).map((c) => X.text(c.name))),
      visit_count: X.number(run.path.filter((s) => s.node_uuid === node.uuid).length),
    },
  }));
}

/** The root of the expression context (@contact, @results, @run, ...) for a run, built lazily. */
export function buildRootContext(run: Run, env: Environment): XVal {
  const session = run.session;
  const contact = run.contact;
  const child = session.currentChild(run);
  const parent = run.parent
    ? relatedFromRun(run.parent)
    : session.parentSummary ? relatedFromSummary(session.parentSummary, run) : null;

  return X.lazyObject(() => ({
    props: {
      run: runContext(run, env),
      child: child ? relatedRunContext(relatedFromRun(child), env) : null,
      parent: parent ? relatedRunContext(parent, env) : null,
      contact: contactContext(contact, env),
      locals: localsContext(run.locals),
      results: resultsContext(run.results),
      urns: urnsContext(contact, env),
      fields: fieldsContext(contact),
      ticket: lastTicketContext(contact),
      trigger: triggerContext(session.trigger, session.assets),
      resume: resumeContext(session.currentResume),
      input: inputContext(session.input, env),
      globals: globalsContext(session.assets),
      webhook: webhookContext(run.webhook),
      node: nodeContext(run),
      legacy_extra: X.deprecated(legacyExtraContext(run), '@legacy_extra is deprecated'),
    },
  }));
}

/**
 * The expression context of a session's current run (null when it has no runs), for evaluating
 * templates against a session from outside the engine.
 */
export function sessionContext(session: Session): XObject | null {
  const run = session.currentRun();
  return run ? run.context() : null;
}
