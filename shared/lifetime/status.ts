import type { Application, AppStatusInEnv } from './types';

/** LifeTime keys are GUIDs; their letter case is not something to rely on. */
export function sameKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** An application's status in one environment, from `AppStatusInEnvs` (requested with IncludeEnvStatus). */
export function statusInEnvironment(app: Application, environmentKey: string): AppStatusInEnv | undefined {
  return app.AppStatusInEnvs?.find((s) => s.EnvironmentKey !== undefined && sameKey(s.EnvironmentKey, environmentKey));
}
