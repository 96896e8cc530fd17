// Location router tests over the environment's location hierarchy.
import type { Environment } from '../../environment.ts';
import { toXText } from '../convert.ts';
import { def } from '../functions/registry.ts';
import { findLocationsFuzzy } from '../locations.ts';
import { XError, type XValue } from '../values.ts';
import { falseResult, trueResult } from './result.ts';

const STATE = 1;
const DISTRICT = 2;
const WARD = 3;
const NOT_ENABLED = () => new XError("can't find locations in environment which is not location enabled");

function texts(args: XValue[]): string[] | XError {
  const out: string[] = [];
  for (const a of args) {
    const t = toXText(a);
    if (t instanceof XError) return t;
    out.push(t);
  }
  return out;
}

def('has_state', 1, 1, (env: Environment, args) => {
  if (!env.locations) return NOT_ENABLED();
  const t = texts(args);
  if (t instanceof XError) return t;
  const states = findLocationsFuzzy(env, env.locations, t[0], STATE, null);
  return states.length ? trueResult(states[0].path) : falseResult();
});

def('has_district', 1, 2, (env: Environment, args) => {
  if (!env.locations) return NOT_ENABLED();
  const t = texts(args);
  if (t instanceof XError) return t;
  const [text, stateText = ''] = t;
  const root = env.locations;
  const states = findLocationsFuzzy(env, root, stateText, STATE, null);
  if (states.length) {
    const districts = findLocationsFuzzy(env, root, text, DISTRICT, states[0]);
    if (districts.length) return trueResult(districts[0].path);
  }
  if (stateText === '') {
    const districts = findLocationsFuzzy(env, root, text, DISTRICT, null);
    if (districts.length === 1) return trueResult(districts[0].path);
  }
  return falseResult();
});

def('has_ward', 0, Infinity, (env: Environment, args) => {
  if (args.length !== 1 && args.length !== 3) return new XError(`takes one or three arguments, got ${args.length}`);
  if (!env.locations) return NOT_ENABLED();
  const t = texts(args);
  if (t instanceof XError) return t;
  const [text, stateText = '', districtText = ''] = t;
  const root = env.locations;
  const states = findLocationsFuzzy(env, root, stateText, STATE, null);
  if (states.length) {
    const districts = findLocationsFuzzy(env, root, districtText, DISTRICT, states[0]);
    if (districts.length) {
      const wards = findLocationsFuzzy(env, root, text, WARD, districts[0]);
      if (wards.length) return trueResult(wards[0].path);
    }
  }
  if (districtText === '') {
    const wards = findLocationsFuzzy(env, root, text, WARD, null);
    if (wards.length === 1) return trueResult(wards[0].path);
  }
  return falseResult();
});
