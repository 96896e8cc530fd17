import type { EventLogger, Segment } from './core/events.ts';
import type { Exit, Node } from './definition/flow.ts';
import { actionType } from './actions/registry.ts';
import { routeNode, routeTimeout } from './routers/index.ts';
import { beginWait, waitAccepts } from './waits/index.ts';
import { reevaluateSmartGroups } from './smart-groups.ts';
import { Run, type Step } from './run.ts';
import type { Session } from './session.ts';
import type { Sprint } from './sprint.ts';
import type { Resume } from './resumes.ts';
import { resumeInput } from './resumes.ts';
import { triggerInput } from './triggers.ts';

/** Engine errors that leave the session untouched (goflow codes 101-103). */
export class EngineError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
}

export function failRun(session: Session, sprint: Sprint, run: Run, text: string): void {
  const log = session.logger(sprint);
  if (text) log('failure', { text });
  run.exit('failed');
  log('run_ended', { run_uuid: run.uuid, flow: run.flowRef, status: 'failed' });
}

function ensureSmartGroups(session: Session, log: EventLogger): void {
  const { added, removed } = reevaluateSmartGroups(session.contact, session.env, session.services);
  if (added.length || removed.length) {
    const fields: Record<string, unknown> = {};
    if (added.length) fields.groups_added = added;
    if (removed.length) fields.groups_removed = removed;
    log('contact_groups_changed', fields);
  }
}

/** Starts a session in the trigger's flow and runs until a wait or the end. */
export async function startSession(session: Session, sprint: Sprint): Promise<void> {
  const flow = session.assets.flow(session.trigger.flow.uuid);
  if (flow instanceof Error) throw flow;
  if (session.trigger.run_summary) session.parentSummary = session.trigger.run_summary;
  session.pushFlow(flow, false);
  session.setInput(triggerInput(session.trigger, session.assets));
  ensureSmartGroups(session, session.logger(sprint));
  await continueUntilWait(session, sprint, null, null, null, '', true);
  session.sprints++;
}

/** Resumes a waiting session. */
export async function resumeSession(session: Session, sprint: Sprint, resume: Resume): Promise<void> {
  if (session.trigger.run_summary && !session.parentSummary) session.parentSummary = session.trigger.run_summary;
  if (session.status !== 'waiting') throw new EngineError(101, 'only waiting sessions can be resumed');
  const waiting = session.waitingRun();
  if (!waiting) throw new EngineError(102, "session doesn't contain any runs which are waiting");

  const failSession = (text: string) => {
    failRun(session, sprint, waiting, text);
    for (const r of session.runs) {
      if (r.status === 'active' || r.status === 'waiting') {
        r.exit('failed');
        session.logger(sprint)('run_ended', { run_uuid: r.uuid, flow: r.flowRef, status: 'failed' });
      }
    }
    session.status = 'failed';
  };

  if (!waiting.flow) { failSession("Can't resume run with missing flow asset"); session.sprints++; return; }
  if (session.sprints >= session.options.maxSprintsPerSession) {
    failSession(`Reached maximum number of sprints per session (${session.options.maxSprintsPerSession})`);
    session.sprints++;
    return;
  }
  const loc = waiting.location();
  if (!loc) {
    failSession('Unable to find resume location: run is located at a flow node that no longer exists');
    session.sprints++;
    return;
  }
  const wait = loc.node.router?.wait;
  if (!loc.node.router || !wait) { failSession("Can't resume from node without a router or wait"); session.sprints++; return; }
  if (!waitAccepts(wait, resume)) {
    throw new EngineError(103, `resume of type ${resume.type} not accepted by wait of type ${wait.type}`);
  }

  session.status = 'active';
  session.currentResume = resume;
  sprint.logFlow(waiting.flow);
  const log = session.logger(sprint);

  const input = resumeInput(resume, session.assets);
  session.setInput(input);
  if (input) waiting.recordInput();

  let isTimeout = false;
  if (resume.type === 'wait_expiration') {
    waiting.exit('expired');
    log('run_ended', { run_uuid: waiting.uuid, flow: waiting.flowRef, status: 'expired' });
  } else {
    isTimeout = resume.type === 'wait_timeout';
    waiting.setStatus('active');
  }

  const { exit, operand } = waiting.status === 'active'
    ? await pickExit(session, sprint, waiting, loc.node, loc.step, isTimeout)
    : { exit: null, operand: '' };

  ensureSmartGroups(session, log);
  await continueUntilWait(session, sprint, waiting, loc.node, exit, operand, false);
  session.sprints++;
}

async function continueUntilWait(
  session: Session, sprint: Sprint, current: Run | null, node: Node | null, exit: Exit | null,
  operand: string, fromTrigger: boolean,
): Promise<void> {
  let numSteps = 0;
  let destination = '';
  let triggerPending = fromTrigger;
  const log = session.logger(sprint);

  for (;;) {
    if (session.pushed) {
      const pushed = session.pushed;
      session.pushed = null;
      if (session.runs.length >= session.options.maxRunsPerSession) {
        failRun(session, sprint, current!, `Reached maximum number of runs per session (${session.options.maxRunsPerSession})`);
        destination = '';
      } else {
        if (pushed.terminal) {
          for (const r of session.runs) {
            if (r.status === 'active' || r.status === 'waiting') {
              r.exit('completed');
              log('run_ended', { run_uuid: r.uuid, flow: r.flowRef, status: 'completed' });
            }
          }
        }
        current = Run.create(session, pushed.flow, current);
        session.runs.push(current);
        const started: Record<string, unknown> = { run_uuid: current.uuid, flow: current.flowRef };
        // a session started by another session's run has that run as parent
        const parentUUID = current.parent?.uuid ?? session.parentSummary?.uuid;
        if (parentUUID) started.parent_uuid = parentUUID;
        if (pushed.terminal) started.terminal = true;
        log('run_started', started);
        sprint.logFlow(pushed.flow);
        destination = pushed.flow.nodes[0]?.uuid ?? '';
      }
    } else if (exit) {
      destination = exit.destination_uuid ?? '';
      if (destination) {
        const dest = current!.flow!.node(destination);
        if (dest && node) {
          const segment: Segment = { flow_uuid: current!.flow!.uuid, node_uuid: node.uuid, exit_uuid: exit.uuid, destination_uuid: dest.uuid, time: '' };
          if (operand) segment.operand = operand;
          segment.time = session.now();
          sprint.segments.push(segment);
        }
      }
      exit = null;
      operand = '';
    } else {
      destination = '';
    }

    const run = current!;
    if (!destination) {
      if (run.exitedOn === null) {
        run.exit('completed');
        log('run_ended', { run_uuid: run.uuid, flow: run.flowRef, status: 'completed' });
      }
      const parent = run.parent;
      if (parent && parent.status === 'active') {
        current = parent;
        if (run.status !== 'failed') {
          const loc = parent.location();
          if (!parent.flow) failRun(session, sprint, parent, "Can't resume run with missing flow asset");
          else if (!loc) failRun(session, sprint, parent, "Can't resume run as node no longer exists");
          // goflow keeps the child's last node as the segment's node_uuid here; we do the same so
          // path statistics computed from segments agree with upstream
          else ({ exit, operand } = await pickExit(session, sprint, parent, loc.node, loc.step, false));
        } else {
          failRun(session, sprint, parent, '');
        }
      } else {
        session.status = run.status === 'failed' ? 'failed' : 'completed';
        return;
      }
      continue;
    }

    numSteps++;
    if (numSteps > session.options.maxStepsPerSprint) {
      failRun(session, sprint, run, `Reached maximum number of steps per sprint (${session.options.maxStepsPerSprint})`);
      continue;
    }
    node = run.flow!.node(destination) ?? null;
    if (!node) throw new Error(`unable to find destination node ${destination} in flow ${run.flow!.uuid}`);
    ({ exit, operand } = await visitNode(session, sprint, run, node, triggerPending));
    triggerPending = false;
    if (session.status === 'waiting') return;
  }
}

async function visitNode(
  session: Session, sprint: Sprint, run: Run, node: Node, fromTrigger: boolean,
): Promise<{ exit: Exit | null; operand: string }> {
  const step = run.createStep(node);
  const log = session.logger(sprint);
  if (fromTrigger && session.input) run.recordInput();

  for (const action of node.actions) {
    await actionType(action.type)!.execute(run, step, action, log);
    if (run.status === 'failed') return { exit: null, operand: '' };
  }
  if (session.pushed) return { exit: null, operand: '' };

  const wait = node.router?.wait;
  if (wait && beginWait(run, wait, log)) {
    run.setStatus('waiting');
    session.status = 'waiting';
    return { exit: null, operand: '' };
  }
  return pickExit(session, sprint, run, node, step, false);
}

async function pickExit(
  session: Session, sprint: Sprint, run: Run, node: Node, step: Step, isTimeout: boolean,
): Promise<{ exit: Exit | null; operand: string }> {
  const log = session.logger(sprint);
  let exitUUID = '';
  let operand = '';
  if (node.router) {
    if (isTimeout) exitUUID = routeTimeout(run, node, step, log);
    else ({ exitUUID, operand } = routeNode(run, node, step, log));
    if (!exitUUID) {
      failRun(session, sprint, run, 'Router failed to pick a category');
      return { exit: null, operand: '' };
    }
  } else if (node.exits.length) {
    exitUUID = node.exits[0].uuid;
  }
  return { exit: node.exits.find((e) => e.uuid === exitUUID) ?? null, operand };
}
