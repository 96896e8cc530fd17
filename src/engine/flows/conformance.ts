import type { ConformanceSet } from '../../conformance/harness.ts';
import { runActionsSet } from './conformance/actions.ts';
import { runEventsSet } from './conformance/events.ts';
import { runInspectionSet } from './conformance/inspection.ts';
import { runModifiersSet } from './conformance/modifiers.ts';
import { runResumesSet } from './conformance/resumes.ts';
import { runRoutersSet } from './conformance/routers.ts';
import { runRunnerSet } from './conformance/runner.ts';
import { runTriggersSet } from './conformance/triggers.ts';

/** The flow engine's conformance sets, replaying goflow's own test data. */
export const sets: ConformanceSet[] = [
  { name: 'runner', run: runRunnerSet },
  { name: 'actions', run: runActionsSet },
  { name: 'routers', run: runRoutersSet },
  { name: 'resumes', run: runResumesSet },
  { name: 'triggers', run: runTriggersSet },
  { name: 'events', run: runEventsSet },
  { name: 'modifiers', run: runModifiersSet },
  { name: 'inspection', run: runInspectionSet },
];
