/**
 * The key of a new plan, in any of the shapes LifeTime answers with: the Swagger file documents
 * `{"DeploymentKey": "…"}` for a binary and a text for `POST /deployments/`, and real servers send
 * the key as plain text (outsystems-pipeline turns any non-JSON body into a string), so plain text,
 * a JSON string and the object are all accepted. Anything else is undefined: a key is a GUID, and
 * text that is not one is never used in a path.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isDeploymentKey(value: string): boolean {
  return GUID.test(value);
}

export function parseDeploymentKey(body: Buffer | string): string | undefined {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).trim();
  if (text === '') return undefined;
  let value: unknown = text;
  if (text.startsWith('"') || text.startsWith('{')) {
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (typeof value === 'object' && value !== null && 'DeploymentKey' in value) value = value.DeploymentKey;
  if (typeof value !== 'string') return undefined;
  const key = value.trim();
  return isDeploymentKey(key) ? key.toLowerCase() : undefined;
}
