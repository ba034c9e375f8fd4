import type { IncomingHttpHeaders } from 'node:http';
import { queryValue } from './query';
import { json, type Reply } from './replies';
import { exceptionBody } from './representations';
import type { EmulatorState } from './state';

export const probePath = '/CI_CDProbe/rest/v1/GetApplicationDependencies';

/**
 * The OutSystems CI/CD Probe's dependency call (reference §2, all [PY]): the producers of one
 * application version that exist in this LifeTime. Error bodies are [UNK]; the Exception shape is reused.
 */
export function probe(
  state: EmulatorState,
  probeKey: string | undefined,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): Reply {
  const sentKey = headers['x-cicdprobe-key'];
  if (probeKey !== undefined && sentKey !== probeKey) {
    return json(401, exceptionBody(401, 'A valid X-CICDProbe-Key header is required.'));
  }
  const name = queryValue(query, 'ApplicationName');
  const version = queryValue(query, 'ApplicationVersion');
  if (!name || !version) {
    return json(400, exceptionBody(400, 'ApplicationName and ApplicationVersion are required.'));
  }
  const app = state.applicationByName(name);
  if (!app?.versions.some((v) => v.version === version)) {
    return json(404, exceptionBody(404, `Application ${name} version ${version} not found.`));
  }
  const producers = app.producers.flatMap((producerName) => {
    const producer = state.applicationByName(producerName);
    return producer ? [{ ApplicationKey: producer.key, ApplicationName: producer.name }] : [];
  });
  return json(200, producers);
}
