/**
 * The download link (…/downloads/<key>) is a credential for as long as it lives: it is refused on
 * plain http to another machine.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DownloadError } from '../../shared/lifetime/errors';
import { PORTAL_LABEL, downloadWorld, rejection } from './downloadTestKit';

describe('download links on plain http', () => {
  const world = downloadWorld();
  const { client, portal } = world;

  describe('plain http', () => {
    it('refuses an http link to another host, naming the package and the origin but not the key', async () => {
      const key = '3f2a9c1e-7b44-4d0e-9a51-0c6f1b2d8e77';
      world.emulator.injectFault({
        path: '/content',
        kind: 'status',
        status: 200,
        body: { url: `http://downloads.example.com:8080/lifetimeapi/rest/v2/downloads/${key}` },
      });
      const lt = client();
      const { appKey, versionKey } = await portal(lt);
      const destination = path.join(world.dir, 'http.oap');
      const error = await rejection(lt.downloadVersion(appKey, versionKey, destination, { label: PORTAL_LABEL }));
      assert.ok(error instanceof DownloadError, error.name);
      assert.ok(error.message.includes(PORTAL_LABEL), error.message);
      assert.ok(error.message.includes('http://downloads.example.com:8080'), error.message);
      assert.match(error.message, /not https/);
      assert.ok(!error.message.includes(key), error.message);
      assert.equal(fs.existsSync(destination), false);
    });

    it('accepts an http link on this machine (the emulator) and an https link', async () => {
      const lt = client();
      const { appKey, versionKey } = await portal(lt);
      const result = await lt.downloadVersion(appKey, versionKey, path.join(world.dir, 'loopback.oap'), {
        label: PORTAL_LABEL,
      });
      assert.equal(result.bytes, fs.statSync(world.emulator.packagePath('Customer Portal', '2.0.0')).size);
    });
  });
});
