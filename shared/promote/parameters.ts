/** The promote task's inputs, typed and checked before the bundle is read. */
import type { KeyObject } from 'node:crypto';

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
