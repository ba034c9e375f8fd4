/**
 * The tamper matrix for tag sync: a bundle that does not check out is refused before the task
 * sends LifeTime a single request (so certainly before any tag POST). The same matrix for the
 * deploy task, refused before any OSPTool call, is in test/e2e/deploy.test.ts.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeBundle, readManifest, writeManifest } from '../../tools/factories/bundleFactory';
import { PROD_TOKEN } from '../../tools/factories/estate';
import { runBundledTask } from '../../tools/agent/taskRunner';
import { snapshot } from '../support/snapshot';
import { failureOf, succeeded } from '../support/taskResults';
import { FAST_HTTP, TAG_APPS, tagWorld, type TagWorld } from './matrixSupport';
import { eachTest } from '../support/eachTest';

const KEYS = crypto.generateKeyPairSync('ed25519');
const PUBLIC_PEM = KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const CORE = 'Customer_Core_v1_1_0.oap';
const PORTAL = 'Customer_Portal_v2_3_0.oap';

function flipByte(file: string): void {
  const bytes = fs.readFileSync(file);
  const at = bytes.length - 100;
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  fs.writeFileSync(file, bytes);
}

const TAMPERS: { why: string; tamper: (bundle: string) => void; message: RegExp; withKey?: boolean }[] = [
  { why: 'a flipped byte', tamper: (b) => flipByte(path.join(b, CORE)), message: /Customer_Core_v1_1_0\.oap/ },
  {
    why: 'a truncated package',
    tamper: (b) => fs.truncateSync(path.join(b, PORTAL), 100),
    message: /Customer_Portal_v2_3_0\.oap/,
  },
  {
    why: 'appended bytes',
    tamper: (b) => fs.appendFileSync(path.join(b, PORTAL), 'extra'),
    message: /Customer_Portal_v2_3_0\.oap/,
  },
  { why: 'a missing package', tamper: (b) => fs.rmSync(path.join(b, CORE)), message: /Customer_Core_v1_1_0\.oap/ },
  {
    why: 'an extra .oap',
    tamper: (b) => fs.copyFileSync(path.join(b, CORE), path.join(b, 'Smuggled.oap')),
    message: /Smuggled\.oap/,
  },
  {
    why: 'a missing manifest',
    tamper: (b) => fs.rmSync(path.join(b, 'airgap-manifest.json')),
    message: /airgap-manifest\.json/,
  },
  {
    why: 'an edited manifest field without a key (its sha256 no longer matches the package)',
    tamper: (b) => {
      const m = readManifest(b);
      const core = m.applications.find((a) => a.name === 'Customer Core');
      if (core) core.sha256 = '0'.repeat(64);
      writeManifest(b, m);
    },
    message: /Customer_Core_v1_1_0\.oap/,
  },
  {
    why: 'an edited manifest field (the version) under a signature',
    tamper: (b) => {
      const file = path.join(b, 'airgap-manifest.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"2.3.0"', '"2.3.1"'));
    },
    message: /signature/i,
    withKey: true,
  },
  {
    why: 'a signature from another key',
    tamper: (b) => writeManifest(b, readManifest(b), crypto.generateKeyPairSync('ed25519').privateKey),
    message: /signature/i,
    withKey: true,
  },
  {
    why: 'an unsigned bundle with a key configured',
    tamper: (b) => fs.rmSync(path.join(b, 'airgap-manifest.json.sig')),
    message: /sign/i,
    withKey: true,
  },
  {
    why: 'a file name that climbs out of the folder',
    tamper: (b) => {
      fs.copyFileSync(path.join(b, CORE), path.join(b, '..', 'outside.oap'));
      const m = readManifest(b);
      const core = m.applications.find((a) => a.name === 'Customer Core');
      if (core) core.file = '../outside.oap';
      fs.rmSync(path.join(b, CORE));
      writeManifest(b, m);
    },
    message: /outside\.oap/,
  },
  {
    why: 'an absolute file name',
    tamper: (b) => {
      const m = readManifest(b);
      const core = m.applications.find((a) => a.name === 'Customer Core');
      if (core) core.file = path.join(b, core.file);
      writeManifest(b, m);
    },
    message: /Customer_Core_v1_1_0\.oap|file/i,
  },
];

describe('tamper matrix: tag sync refuses before any LifeTime request', function () {
  this.timeout(120_000);
  let t: TagWorld;
  eachTest(tagWorld, (w) => (t = w));

  for (const c of TAMPERS) {
    it(`refuses ${c.why}`, async () => {
      const bundle = await makeBundle(path.join(t.root, 'signed bundle'), TAG_APPS, { signWith: KEYS.privateKey });
      c.tamper(bundle);
      const before = snapshot(t.root);
      const run = await t.sync(
        c.withKey === true ? { bundlePath: bundle, verificationKey: PUBLIC_PEM } : { bundlePath: bundle },
      );
      assert.match(failureOf(run), c.message);
      assert.equal(t.requestCount(), 0, 'LifeTime was never asked anything');
      assert.deepEqual(t.tagCounts(), { 'Customer Core': 0, 'Customer Portal': 0 });
      assert.deepEqual(snapshot(t.root), before, 'the bundle was left as it was');
    });
  }

  it('accepts the untampered signed bundle with the key (the matrix would pass vacuously otherwise)', async () => {
    const bundle = await makeBundle(path.join(t.root, 'signed bundle'), TAG_APPS, { signWith: KEYS.privateKey });
    const run = await runBundledTask('AirGapSyncTags', {
      inputs: { targetEnvironment: 'Pre-Production', bundlePath: bundle, verificationKey: PUBLIC_PEM },
      connection: { url: t.production.url, token: PROD_TOKEN },
      env: FAST_HTTP,
    });
    succeeded(run);
    assert.deepEqual(t.tagCounts(), { 'Customer Core': 1, 'Customer Portal': 1 });
  });
});
