/** The deploy task's inputs: the typed parameters, and their reader; every failure names the input at fault. */
import type { KeyObject } from 'node:crypto';
import { loadPublicKey } from '../bundle/signing';
import { bool, optionalString, requiredString } from '../task/inputs';
import { readSecretInput } from '../task/secrets';

export interface DeployParameters {
  bundlePath: string;
  osptoolPath: string;
  targetHostname: string;
  user: string;
  password: string;
  catalogMappings?: string;
  verificationKey?: KeyObject;
  timeoutMinutes: number;
  dryRun: boolean;
}

/** A host name as OSPTool wants it: people paste URLs, so say what is wrong rather than pass it on. */
export function checkTargetHostname(value: string): string {
  const host = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host) || host.includes('/')) {
    throw new Error(`targetHostname "${value}" must be a host name such as preprod.example.com, not a URL or path`);
  }
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/.test(host)) {
    throw new Error(`targetHostname "${value}" is not a valid host name`);
  }
  return host;
}

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
