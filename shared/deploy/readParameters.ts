/** Reads the deploy task's inputs from the agent; every failure names the input at fault. */
import { loadPublicKey } from '../bundle/signing';
import { bool, optionalString, requiredString } from '../task/inputs';
import { readSecretInput } from '../task/secrets';
import { checkTargetHostname } from './parameters';
import type { DeployParameters } from './parameters';

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

export function readDeployParameters(): DeployParameters {
  // The password is registered as a secret before any other input is read or anything printed.
  const password = readSecretInput('airGapPassword');
  if (password === undefined) throw new Error("Input 'airGapPassword' is required: the password of 'airGapUser'.");
  const params: DeployParameters = {
    bundlePath: requiredString('bundlePath'),
    osptoolPath: requiredString('osptoolPath'),
    targetHostname: checkTargetHostname(requiredString('targetHostname')),
    user: requiredString('airGapUser'),
    password,
    timeoutMinutes: timeoutMinutesInput(),
    dryRun: bool('dryRun', false),
  };
  const catalogMappings = optionalString('catalogMappings');
  if (catalogMappings !== undefined) params.catalogMappings = catalogMappings;
  const key = optionalString('verificationKey');
  if (key !== undefined) params.verificationKey = loadPublicKey(key, 'verificationKey');
  return params;
}
