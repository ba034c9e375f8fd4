/** Reads the promote task's inputs from the agent; every failure names the input at fault. */
import { loadPublicKey } from '../bundle/signing';
import { readLifeTimeConnection } from '../task/connection';
import { bool, oneOf, optionalString, requiredString } from '../task/inputs';
import { TWO_STEP_MODES, checkDistinctEnvironments } from './parameters';
import type { PromoteParameters } from './parameters';

/** Minutes, fractions allowed (0.5 is 30 seconds), at most a day. */
function timeoutMinutesInput(): number {
  const raw = optionalString('timeoutMinutes');
  if (raw === undefined) return 60;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 24 * 60) {
    throw new Error(`Input 'timeoutMinutes' must be a number of minutes between 0 and 1440, not '${raw}'.`);
  }
  return minutes;
}

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
    timeoutMinutes: timeoutMinutesInput(),
  };
  const notes = optionalString('notes');
  if (notes !== undefined) params.notes = notes;
  const key = optionalString('verificationKey');
  if (key !== undefined) params.verificationKey = loadPublicKey(key, 'verificationKey');
  return params;
}
