/**
 * The download link (…/downloads/<key>) is a credential for as long as it lives: its key never
 * reaches a message or a log line.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { redactDownloadKeys } from '../../shared/lifetime/redaction';
import type { HttpSettings } from '../../shared/http/settings';
import type { LifeTimeClient } from '../../shared/lifetime/client';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { developmentSpec } from '../../tools/emulator/testSpec';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { PORTAL_LABEL, portalVersion, quickClient, rejection } from './downloadTestKit';

describe('download link keys', () => {
  let emulator: LifeTimeEmulator;
  let dir: string;
  const log: string[] = [];

  const client = (overrides: Partial<HttpSettings> = {}): LifeTimeClient => quickClient(emulator, log, overrides);

  const portal = (lt: LifeTimeClient) => portalVersion(emulator, lt);

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
      const error = await rejection(
        lt.downloadVersion(appKey, versionKey, path.join(dir, 'x.oap'), { label: PORTAL_LABEL }),
      );
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
      const error = await rejection(
        lt.downloadVersion(appKey, versionKey, path.join(dir, 'y.oap'), { label: PORTAL_LABEL }),
      );
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
