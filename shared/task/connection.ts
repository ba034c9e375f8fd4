import * as im from 'azure-pipelines-task-lib/internal';
import * as tl from 'azure-pipelines-task-lib/task';
import { requireSecureUrl } from '../http/secureUrl';
import { registerSecret } from './secretRegistry';

export interface LifeTimeConnection {
  /** The LifeTime server URL without a trailing slash, e.g. `https://lifetime.example.com`. */
  serverUrl: string;
  token: string;
  endpointId: string;
}

/**
 * Reads an `outsystems-lifetime` service connection by the endpoint id held in the task input.
 *
 * The token comes straight from task-lib's vault: `getEndpointAuthorizationParameter` prints it in
 * a debug line and `getEndpointAuthorization` puts the whole raw JSON in an error message when it
 * does not parse. It is registered as a secret before anything else is done with it.
 */
export function readLifeTimeConnection(inputName = 'lifeTimeConnection'): LifeTimeConnection {
  const endpointId = tl.getInput(inputName, false)?.trim() ?? '';
  if (endpointId === '') {
    throw new Error(`Input '${inputName}' is required: choose an OutSystems LifeTime service connection.`);
  }
  const named = `The service connection '${endpointId}' (input '${inputName}')`;

  const token = readToken(endpointId, named);
  registerSecret(token);

  const rawUrl = tl.getEndpointUrl(endpointId, true)?.trim() ?? '';
  if (rawUrl === '') throw new Error(`${named} has no server URL; is it a service connection of this job?`);
  return { serverUrl: checkedUrl(rawUrl, named), token, endpointId };
}

function readToken(endpointId: string, named: string): string {
  const parameter = im._vault.retrieveSecret(`ENDPOINT_AUTH_PARAMETER_${endpointId}_APITOKEN`)?.trim();
  if (parameter) return parameter;

  const json = im._vault.retrieveSecret(`ENDPOINT_AUTH_${endpointId}`);
  if (json === undefined || json.trim() === '') throw new Error(`${named} has no API token.`);
  let auth: unknown;
  try {
    auth = JSON.parse(json);
  } catch {
    // Never quote the text: it is the authorization, token included.
    throw new Error(`${named} has an authorization that is not valid JSON.`);
  }
  const token = tokenFromAuthorization(auth);
  if (token === undefined) throw new Error(`${named} has no API token (expected scheme Token with 'apitoken').`);
  return token;
}

function tokenFromAuthorization(auth: unknown): string | undefined {
  if (!isRecord(auth)) return undefined;
  const parameters = auth['parameters'];
  if (!isRecord(parameters)) return undefined;
  // The agent keeps the scheme's parameter name as declared; be lenient about its case.
  const key = Object.keys(parameters).find((k) => k.toLowerCase() === 'apitoken');
  const value = key === undefined ? undefined : parameters[key];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  return value.trim();
}

function checkedUrl(rawUrl: string, named: string): string {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new Error(`${named} has a server URL that is not a valid URL: '${rawUrl}'.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${named} must have an http(s) server URL, not '${url.protocol}'.`);
  }
  // The LifeTime API is served over HTTPS only; over http the token would cross the network readable.
  requireSecureUrl(
    url,
    () =>
      new Error(
        `${named} has an http:// server URL (${url.origin}): the token would travel unencrypted; use https://${url.host}.`,
      ),
  );
  if (url.username !== '' || url.password !== '') {
    // Credentials belong in the token field, where the agent keeps them secret.
    throw new Error(`${named} has a server URL with credentials in it; put only the token in the token field.`);
  }
  return rawUrl.replace(/\/+$/, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
