/** LifeTime clients for in-process tests: the real client and HTTP layer, against an emulator on loopback. */
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings } from '../../shared/http/settings';
import { LifeTimeClient } from '../../shared/lifetime/client';
import type { LifeTimeEmulator } from '../../tools/emulator/emulator';

/** Short timeouts and backoff, so a fault case ends quickly; nothing else differs from a task's client. */
export function lifeTimeClientFor(emulator: LifeTimeEmulator, token: string, signal?: AbortSignal): LifeTimeClient {
  const http = new HttpClient(defaultHttpSettings({ timeoutMs: 5_000, retries: 2, backoffBaseMs: 1, backoffMaxMs: 5 }));
  return new LifeTimeClient({ serverUrl: emulator.url, token, http, ...(signal !== undefined ? { signal } : {}) });
}
