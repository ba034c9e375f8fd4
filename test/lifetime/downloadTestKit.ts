/** What the download tests share: a client on the emulator with a captured log, and rejections as LifeTimeErrors. */
import * as assert from 'node:assert/strict';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings, type HttpSettings } from '../../shared/http/settings';
import { LifeTimeClient } from '../../shared/lifetime/client';
import { LifeTimeError } from '../../shared/lifetime/errors';
import type { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { testToken } from '../../tools/emulator/testSpec';

export const PORTAL_LABEL = 'application "Customer Portal" version 2.0.0';

export async function rejection(promise: Promise<unknown>): Promise<LifeTimeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LifeTimeError, `expected a LifeTimeError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

/** A client with short timeouts and backoff whose retry notices land in `log`. */
export function quickClient(
  emulator: LifeTimeEmulator,
  log: string[],
  overrides: Partial<HttpSettings> = {},
): LifeTimeClient {
  const http = new HttpClient(
    defaultHttpSettings({ timeoutMs: 2000, retries: 2, backoffBaseMs: 1, backoffMaxMs: 5, ...overrides }),
    { log: (line) => log.push(line) },
  );
  return new LifeTimeClient({ serverUrl: emulator.url, token: testToken, http });
}

/** The keys of Customer Portal's newest version. */
export async function portalVersion(
  emulator: LifeTimeEmulator,
  lt: LifeTimeClient,
): Promise<{ appKey: string; versionKey: string }> {
  const app = emulator.application('Customer Portal');
  assert.ok(app);
  const [latest] = await lt.listVersions(app.key);
  assert.ok(latest);
  return { appKey: app.key, versionKey: latest.Key };
}
