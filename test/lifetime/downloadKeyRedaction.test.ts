/**
 * The download link (…/downloads/<key>) is a credential for as long as it lives: its key never
 * reaches a message or a log line.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { HttpClient } from '../../shared/http/client';
import { redactDownloadKeys } from '../../shared/http/errors';
import { defaultHttpSettings, type HttpSettings } from '../../shared/http/settings';
import { LifeTimeClient } from '../../shared/lifetime/client';
import { LifeTimeError } from '../../shared/lifetime/errors';
import { LifeTimeEmulator } from '../emulator/emulator';
import { developmentSpec, testToken } from '../emulator/testSpec';
import { makeTempDir, removeTempDir } from '../support/tempDir';

const LABEL = 'application "Customer Portal" version 2.0.0';

async function rejection(promise: Promise<unknown>): Promise<LifeTimeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LifeTimeError, `expected a LifeTimeError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('download link keys', () => {
  let emulator: LifeTimeEmulator;
  let dir: string;
  const log: string[] = [];

  function client(overrides: Partial<HttpSettings> = {}): LifeTimeClient {
    const http = new HttpClient(
      defaultHttpSettings({ timeoutMs: 2000, retries: 2, backoffBaseMs: 1, backoffMaxMs: 5, ...overrides }),
      { log: (line) => log.push(line) },
    );
    return new LifeTimeClient({ serverUrl: emulator.url, token: testToken, http });
  }

  async function portal(lt: LifeTimeClient): Promise<{ appKey: string; versionKey: string }> {
    const app = emulator.application('Customer Portal');
    assert.ok(app);
    const [latest] = await lt.listVersions(app.key);
    assert.ok(latest);
    return { appKey: app.key, versionKey: latest.Key };
  }

  /** Keys of every download link the emulator was asked for. */
  function downloadKeys(): string[] {
    return emulator.requests
      .map((r) => /\/downloads\/([^/]+)$/.exec(r.path)?.[1])
      .filter((k): k is string => k !== undefined);
  }

  before(async () => {
    emulator = await LifeTimeEmulator.start(developmentSpec());
    dir = makeTempDir();
  });
  beforeEach(() => {
    log.length = 0;
  });
  afterEach(() => emulator.clearFaults());
  after(async () => {
    await emulator.close();
    removeTempDir(dir);
  });

  describe('the key stays out of messages and log lines', () => {
    it('in retry notices and in the status error', async () => {
      emulator.injectFault({ path: '/downloads/', kind: 'status', status: 503, times: 2 });
      emulator.injectFault({ path: '/downloads/', kind: 'status', status: 500 });
      const lt = client();
      const { appKey, versionKey } = await portal(lt);
      const error = await rejection(lt.downloadVersion(appKey, versionKey, path.join(dir, 'x.oap'), { label: LABEL }));
      const keys = downloadKeys();
      assert.ok(keys.length > 0);
      assert.equal(log.length, 2, log.join('\n'));
      assert.match(
        log[0] ?? '',
        /GET http:\/\/127\.0\.0\.1:\d+\/lifetimeapi\/rest\/v2\/downloads\/… for .* answered 503/,
      );
      assert.match(error.message, /GET \/lifetimeapi\/rest\/v2\/downloads\/… answered 500/);
      assert.ok(error.request?.endsWith('/downloads/…'), error.request);
      for (const key of keys) {
        for (const text of [...log, error.message, String(error.request)]) assert.ok(!text.includes(key), text);
      }
    });

    it('in a no-response error', async () => {
      emulator.injectFault({ path: '/downloads/', kind: 'slow-headers', ms: 1500, times: 3 });
      const lt = client({ timeoutMs: 300 });
      const { appKey, versionKey } = await portal(lt);
      const error = await rejection(lt.downloadVersion(appKey, versionKey, path.join(dir, 'y.oap'), { label: LABEL }));
      assert.match(
        error.message,
        /no response from LifeTime .* \(GET \/lifetimeapi\/rest\/v2\/downloads\/…, 3 attempts\)/,
      );
      const keys = downloadKeys();
      assert.ok(keys.length > 0);
      for (const key of keys) {
        for (const text of [...log, error.message]) assert.ok(!text.includes(key), text);
      }
    });

    it('redactDownloadKeys replaces what follows /downloads/ and nothing else', () => {
      assert.equal(
        redactDownloadKeys('GET https://lt.example.com/lifetimeapi/rest/v2/downloads/abc-123?x=1 failed'),
        'GET https://lt.example.com/lifetimeapi/rest/v2/downloads/…?x=1 failed',
      );
      assert.equal(redactDownloadKeys('/lifetimeapi/rest/v2/applications/'), '/lifetimeapi/rest/v2/applications/');
    });
  });
});
