import * as im from 'azure-pipelines-task-lib/internal';
import { registerSecret } from './secretRegistry';

/**
 * Reads a secret input (a password, a PEM private key) straight from task-lib's vault.
 *
 * `tl.getInput` prints `name=value` in a `##vso[task.debug]` line whenever debug is on, before
 * anything could register the value for masking; reading the vault (where task-lib moved the
 * agent's `INPUT_*` variables at load time) avoids that echo. The value is registered as a secret
 * before it is returned, so nothing printed afterwards can carry it.
 */
export function readSecretInput(name: string): string | undefined {
  const raw = im._vault.retrieveSecret('INPUT_' + inputKey(name));
  if (raw === undefined) return undefined;
  const value = raw.trim();
  registerSecret(raw);
  if (value === '') return undefined;
  return value;
}

/** The environment variable key the agent uses for an input, as task-lib's `_getVariableKey`. */
function inputKey(name: string): string {
  if (name.trim() === '') throw new Error('A secret input name is required');
  return name.replace(/\./g, '_').replace(/ /g, '_').toUpperCase();
}
