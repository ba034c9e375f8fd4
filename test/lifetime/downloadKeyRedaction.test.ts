/**
 * The download link (…/downloads/<key>) is a credential for as long as it lives: its key never
 * reaches a message or a log line.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { redactDownloadKeys } from '../../shared/lifetime/redaction';
import { PORTAL_LABEL, downloadWorld, rejection } from './downloadTestKit';

describe('download link keys', () => {
  const world = downloadWorld();
  const { log, client, portal } = world;

  /** Keys of every download link the emulator was asked for. */
  function downloadKeys(): string[] {
    return world.emulator.requests
      .map((r) => /\/downloads\/([^/]+)$/.exec(r.path)?.[1])
      .filter((k): k is string => k !== undefined);
  }

  describe('the key stays out of messages and log lines', () => {
    it('in retry notices and in the status error', async () => {
      world.emulator.injectFault({ path: '/downloads/', kind: 'status', status: 503, times: 2 });
      world.emulator.injectFault({ path: '/downloads/', kind: 'status', status: 500 });
      const lt = client();
      const { appKey, versionKey } = await portal(lt);
      const error = await rejection(
        lt.downloadVersion(appKey, versionKey, path.join(world.dir, 'x.oap'), { label: PORTAL_LABEL }),
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
      world.emulator.injectFault({ path: '/downloads/', kind: 'slow-headers', ms: 1500, times: 3 });
      const lt = client({ timeoutMs: 300 });
      const { appKey, versionKey } = await portal(lt);
      const error = await rejection(
        lt.downloadVersion(appKey, versionKey, path.join(world.dir, 'y.oap'), { label: PORTAL_LABEL }),
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
