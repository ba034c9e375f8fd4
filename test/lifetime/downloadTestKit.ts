/**
 * What the download tests share: a client on the emulator with a captured log, rejections as
 * LifeTimeErrors, and the emulator-plus-temp-dir stage with its hooks.
 */
import * as assert from 'node:assert/strict';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings, type HttpSettings } from '../../shared/http/settings';
import { LifeTimeClient } from '../../shared/lifetime/client';
import { LifeTimeError } from '../../shared/lifetime/errors';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

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

/** The shared stage of a download test file: what `downloadWorld()` hands out once `before` has run. */
export interface DownloadWorld {
  readonly emulator: LifeTimeEmulator;
  readonly dir: string;
  /** Retry notices of the current test (emptied before each test). */
  readonly log: string[];
  readonly client: (overrides?: Partial<HttpSettings>) => LifeTimeClient;
  readonly portal: (lt: LifeTimeClient) => Promise<{ appKey: string; versionKey: string }>;
}

/**
 * Registers the mocha hooks every download test file needs: an emulator on the development spec and
 * a temporary directory for the whole file, a fresh log and no faults for each test.
 */
export function downloadWorld(): DownloadWorld {
  let emulator: LifeTimeEmulator | undefined;
  let dir: string | undefined;
  const log: string[] = [];
  const started = (): LifeTimeEmulator => {
    assert.ok(emulator, 'the download world is used before its `before` hook ran');
    return emulator;
  };
  before(async () => {
    emulator = await LifeTimeEmulator.start(developmentSpec());
    dir = makeTempDir();
  });
  beforeEach(() => {
    log.length = 0;
  });
  afterEach(() => started().clearFaults());
  after(async () => {
    await emulator?.close();
    if (dir !== undefined) removeTempDir(dir);
  });
  return {
    get emulator() {
      return started();
    },
    get dir() {
      assert.ok(dir !== undefined, 'the download world is used before its `before` hook ran');
      return dir;
    },
    log,
    client: (overrides = {}) => quickClient(started(), log, overrides),
    portal: (lt) => portalVersion(started(), lt),
  };
}
