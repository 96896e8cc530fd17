import type { Environment } from '../../environment.ts';
import type { Ref } from '../assets.ts';
import { Contact } from '../core/contact.ts';
import type { Result, Results } from '../core/results.ts';
import { lazy, X, type XVal } from '../expressions.ts';
import type { Run } from '../run.ts';
import { contactContext, fieldsContext, formatContact, urnsContext } from './contact.ts';

export function resultContext(r: Result): XVal {
  return X.object({
    name: X.text(r.name),
    value: X.text(r.value),
    category: X.text(r.category ?? ''),
    category_localized: X.text(r.category_localized || r.category || ''),
    input: X.text(r.input ?? ''),
    extra: lazy(() => (r.extra === undefined ? null : X.force(X.json(r.extra)))),
    node_uuid: X.text(r.node_uuid),
    created_on: lazy(() => X.force(X.datetime(r.created_on))),
  }, X.text(r.value));
}

export function resultsContext(results: Results): XVal {
  return X.lazyObject(() => {
    const props: Record<string, XVal> = {};
    const lines: string[] = [];
    for (const [k, r] of Object.entries(results)) {
      props[k] = resultContext(r);
      lines.push(`${r.name}: ${r.value}`);
    }
    lines.sort();
    return { props, default: X.text(lines.join('\n')) };
  });
}

export function flowContext(ref: Ref, revision?: number): XVal {
  return X.object({ uuid: X.text(ref.uuid), name: X.text(ref.name), revision: X.number(revision ?? 0) }, X.text(ref.name));
}

export function localsContext(locals: Record<string, string>): XVal {
  return X.object(Object.fromEntries(Object.entries(locals).map(([k, v]) => [k, X.text(v)])));
}

export function runContext(run: Run, env: Environment): XVal {
  return X.lazyObject(() => ({
    default: X.text(`${formatContact(run.contact, env)}@${run.flow?.name ?? '<missing>'}`),
    props: {
      uuid: X.text(run.uuid),
      contact: contactContext(run.contact, env),
      flow: run.flow ? flowContext(run.flow.ref, run.flow.revision) : null,
      status: X.text(run.status),
      locals: localsContext(run.locals),
      results: resultsContext(run.results),
      path: lazy(() => X.force(X.array(run.path.map((s) => X.object({ node_uuid: X.text(s.node_uuid), arrived_on: X.datetime(s.arrived_on) }))))),
      created_on: lazy(() => X.force(X.datetime(run.createdOn))),
      exited_on: lazy(() => (run.exitedOn ? X.force(X.datetime(run.exitedOn)) : null)),
    },
  }));
}

/** A run seen from a related run (@child, @parent): a live run or another session's summary. */
export interface RelatedRun { uuid: string; flow: Ref | null; flowRevision?: number; contact: Contact | null; status: string; results: Results }

export function relatedFromRun(run: Run): RelatedRun {
  return { uuid: run.uuid, flow: run.flow ? run.flow.ref : null, flowRevision: run.flow?.revision, contact: run.contact, status: run.status, results: run.results };
}

export function relatedFromSummary(summary: Record<string, any>, run: Run): RelatedRun {
  const assets = run.session.assets;
  const flow = assets.flow(summary.flow?.uuid ?? '');
  return {
    uuid: summary.uuid,
    flow: flow instanceof Error ? null : flow.ref,
    flowRevision: flow instanceof Error ? undefined : flow.revision,
    contact: summary.contact ? Contact.read(summary.contact, assets) : null,
    status: summary.status,
    results: normalizeSummaryResults(summary.results ?? {}),
  };
}

/** Older run summaries name result fields differently (result_name, node). */
function normalizeSummaryResults(results: Record<string, any>): Results {
  const out: Results = {};
  for (const [k, r] of Object.entries(results)) {
    out[k] = {
      name: r.name ?? r.result_name ?? k, value: r.value ?? '', category: r.category,
      category_localized: r.category_localized, node_uuid: r.node_uuid ?? r.node ?? '',
      input: r.input, extra: r.extra, created_on: r.created_on,
    };
  }
  return out;
}

export function relatedRunContext(r: RelatedRun, env: Environment): XVal {
  return X.lazyObject(() => ({
    default: X.text(`${r.contact ? formatContact(r.contact, env) : '<nocontact>'}@${r.flow?.name ?? '<missing>'}`),
    props: {
      uuid: X.text(r.uuid),
      contact: r.contact ? contactContext(r.contact, env) : null,
      flow: r.flow ? flowContext(r.flow, r.flowRevision) : null,
      urns: r.contact ? urnsContext(r.contact, env) : null,
      fields: r.contact ? fieldsContext(r.contact) : null,
      results: resultsContext(r.results),
      status: X.text(r.status),
      run: X.object({
        status: X.deprecated(X.text(r.status), '@child.run.status is deprecated, use @child.status instead'),
      }),
    },
  }));
}
