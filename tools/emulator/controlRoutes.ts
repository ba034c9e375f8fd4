import { json, type Reply } from './replies';
import { exceptionBody } from './representations';
import type { EmulatorState } from './state';

export const controlPrefix = '/__emulator';

/** What the demo prints: the whole estate, by name, with versions and what runs where. */
export function stateJson(state: EmulatorState, url: string): unknown {
  const envName = (key: string): string => state.environmentByKey(key)?.name ?? key;
  return {
    url,
    environments: state.environments.map((e) => ({ name: e.name, key: e.key, hostName: e.hostName, type: e.type })),
    applications: state.applications.map((a) => ({
      name: a.name,
      key: a.key,
      uid: a.uid,
      isSystem: a.isSystem,
      producers: a.producers,
      versions: state.versionsNewestFirst(a).map((v) => ({
        key: v.key,
        version: v.version,
        changeLog: v.changeLog,
        createdOn: v.createdOn,
      })),
      running: Object.fromEntries(
        [...a.running].map(([envKey, run]) => [
          envName(envKey),
          {
            versionKey: run.baseVersionKey,
            version: a.versions.find((v) => v.key === run.baseVersionKey)?.version ?? null,
            modified: run.modified,
          },
        ]),
      ),
    })),
  };
}

/** Body of POST /__emulator/published, sent by the OSPTool stand-in after a successful publication. */
export function parsePublished(body: Buffer): { hostName: string; uid: string; name: string } | Reply {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return json(400, exceptionBody(400, 'The body is not JSON.'));
  }
  if (typeof parsed === 'object' && parsed !== null) {
    const { hostName, uid, name } = parsed as Record<string, unknown>;
    if (typeof hostName === 'string' && typeof uid === 'string' && typeof name === 'string') {
      return { hostName, uid, name };
    }
  }
  return json(400, exceptionBody(400, 'Expected {"hostName": "...", "uid": "...", "name": "..."}.'));
}
