/**
 * The download link (…/downloads/<key>) is a credential for as long as it lives: it is refused on
 * plain http to another machine.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings, type HttpSettings } from '../../shared/http/settings';
import { LifeTimeClient } from '../../shared/lifetime/client';
import { DownloadError, LifeTimeError } from '../../shared/lifetime/errors';
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

describe('download links on plain http', () => {
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

  describe('plain http', () => {
    it('refuses an http link to another host, naming the package and the origin but not the key', async () => {
      const key = '3f2a9c1e-7b44-4d0e-9a51-0c6f1b2d8e77';
      emulator.injectFault({
        path: '/content',
        kind: 'status',
        status: 200,
        body: { url: `http://downloads.example.com:8080/lifetimeapi/rest/v2/downloads/${key}` },
      });
      const lt = client();
      const { appKey, versionKey } = await portal(lt);
      const destination = path.join(dir, 'http.oap');
      const error = await rejection(lt.downloadVersion(appKey, versionKey, destination, { label: LABEL }));
      assert.ok(error instanceof DownloadError, error.name);
      assert.ok(error.message.includes(LABEL), error.message);
      assert.ok(error.message.includes('http://downloads.example.com:8080'), error.message);
      assert.match(error.message, /not https/);
      assert.ok(!error.message.includes(key), error.message);
      assert.equal(fs.existsSync(destination), false);
    });

    it('accepts an http link on this machine (the emulator) and an https link', async () => {
      const lt = client();
      const { appKey, versionKey } = await portal(lt);
      const result = await lt.downloadVersion(appKey, versionKey, path.join(dir, 'loopback.oap'), { label: LABEL });
      assert.equal(result.bytes, fs.statSync(emulator.packagePath('Customer Portal', '2.0.0')).size);
    });
  });
});
