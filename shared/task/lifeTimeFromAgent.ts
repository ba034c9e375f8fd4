/** A LifeTime client configured the way the agent is: its proxy, its CA, TLS verified unless told otherwise. */
import { agentHttpSettings } from './agentHttpSettings';
import { HttpClient } from '../http/client';
import { LifeTimeClient } from '../lifetime/client';
import type { Reporter } from '../util/reporter';
import { agentReporter } from './agentReporter';
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

/** What every LifeTime operation is handed by its task shell: the client, the agent's reporter, the cancellation. */
export interface AgentLifeTimeEnvironment {
  lifeTime: LifeTimeClient;
  reporter: Reporter;
  signal: AbortSignal;
  /** The same agent-configured HTTP client, for other services of the run (the CI/CD Probe). */
  http: HttpClient;
}

export function lifeTimeEnvironmentFromAgent(
  connection: { serverUrl: string; token: string },
  context: TaskContext,
): AgentLifeTimeEnvironment {
  const http = httpClientFromAgent(context);
  return {
    lifeTime: lifeTimeClientFromAgent(connection, http, context.signal),
    reporter: agentReporter(context),
    signal: context.signal,
    http,
  };
}
