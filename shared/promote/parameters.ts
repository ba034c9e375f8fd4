/** The promote task's inputs: the typed parameters, and their reader. */
import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from '../bundle/signing';
import { readLifeTimeConnection } from '../task/connection';
import { bool, minutes, oneOf, optionalString, requiredString } from '../task/inputs';

export const TWO_STEP_MODES = ['continue', 'stop'] as const;
export type TwoStepMode = (typeof TWO_STEP_MODES)[number];

export interface PromoteParameters {
  lifeTime: { serverUrl: string; token: string };
  sourceEnvironment: string;
  targetEnvironment: string;
  bundlePath: string;
  verificationKey?: KeyObject;
  twoStepMode: TwoStepMode;
  redeployOutdated: boolean;
  timeoutMinutes: number;
  /** The plan's notes as the user gave them; the default is written by the run (see notes.ts). */
  notes?: string;
}

/**
 * The same name twice can only be a mistake; LifeTime would refuse the plan later, after the
 * bundle was read and the environments looked up, with a less clear message.
 */
export function checkDistinctEnvironments(source: string, target: string): void {
  if (source.toLowerCase() === target.toLowerCase()) {
    throw new Error(
      `sourceEnvironment and targetEnvironment are both "${target}": the promotion goes from the environment the bundle runs in (PRE) to another one (e.g. Production)`,
    );
  }
}

/** Minutes, fractions allowed (0.5 is 30 seconds), at most a day. */
export function readPromoteParameters(): PromoteParameters {
  // The token is registered as a secret before any other input is read or anything printed.
  const lifeTime = readLifeTimeConnection('lifeTimeConnection');
  const sourceEnvironment = requiredString('sourceEnvironment');
  const targetEnvironment = requiredString('targetEnvironment');
  checkDistinctEnvironments(sourceEnvironment, targetEnvironment);
  const params: PromoteParameters = {
    lifeTime: { serverUrl: lifeTime.serverUrl, token: lifeTime.token },
    sourceEnvironment,
    targetEnvironment,
    bundlePath: requiredString('bundlePath'),
    twoStepMode: oneOf('twoStepMode', TWO_STEP_MODES, 'continue'),
    redeployOutdated: bool('redeployOutdated', true),
    timeoutMinutes: minutes('timeoutMinutes', 60, false),
  };
  const notes = optionalString('notes');
  if (notes !== undefined) params.notes = notes;
  const key = optionalString('verificationKey');
  if (key !== undefined) params.verificationKey = loadPublicKey(key, 'verificationKey');
  return params;
}
