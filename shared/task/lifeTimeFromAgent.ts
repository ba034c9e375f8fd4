/** A LifeTime client configured the way the agent is: its proxy, its CA, TLS verified unless told otherwise. */
import { agentHttpSettings } from './agentHttpSettings';
import { HttpClient } from '../http/client';
import { LifeTimeClient } from '../lifetime/client';
import { writeLine } from './output';
import type { TaskContext } from './run';

export function httpClientFromAgent(context: TaskContext): HttpClient {
  const settings = agentHttpSettings();
  for (const warning of settings.warnings) context.warn(warning);
  return new HttpClient(settings, { log: (message) => writeLine(message) });
}

/** `signal` is the task's cancellation: it aborts whatever LifeTime request is in flight. */
export function lifeTimeClientFromAgent(
  connection: { serverUrl: string; token: string },
  http: HttpClient,
  signal: AbortSignal,
): LifeTimeClient {
  return new LifeTimeClient({ serverUrl: connection.serverUrl, token: connection.token, http, signal });
}
