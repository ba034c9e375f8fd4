import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { appendFile, mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleError } from '../../shared/bundle/errors';
import { MANIFEST_FILE_NAME, SIGNATURE_FILE_NAME } from '../../shared/bundle/manifest';
import type { BundleManifest } from '../../shared/bundle/manifest';
import { verifyBundle } from '../../shared/bundle/verify';
import type { VerifyOptions } from '../../shared/bundle/verify';
import { writeOap } from '../../tools/factories/oapFactory';
import { tempFolder } from '../oap/zipHelpers';
import { keyOf, uidOf, writeManifest, writeSampleBundle } from './sampleBundle';

const APPS = [{ name: 'Portal', producers: ['Core', 'Auth'] }, { name: 'Core' }, { name: 'Auth', producers: ['Core'] }];

async function assertRefused(bundle: string, options: VerifyOptions, problem: RegExp, names?: string): Promise<void> {
  await assert.rejects(verifyBundle(bundle, options), (error: unknown) => {
    assert.ok(error instanceof BundleError, String(error));
    assert.match(error.message, problem);
    assert.ok(error.message.includes(names ?? bundle), `names ${names ?? bundle}: ${error.message}`);
    return true;
  });
}

function fileOf(manifest: BundleManifest, name: string): string {
  const app = manifest.applications.find((a) => a.name === name);
  assert.ok(app !== undefined);
  return app.file;
}

describe('verifyBundle', () => {
  const signer = generateKeyPairSync('ed25519');
  let temp: { path: string; cleanup: () => Promise<void> };
  let bundle: string;
  let manifest: BundleManifest;

  beforeEach(async () => {
    temp = await tempFolder('verify');
    bundle = join(temp.path, 'bundle-1');
    manifest = await writeSampleBundle(bundle, APPS, { signWith: signer.privateKey });
  });
  afterEach(async () => {
    await temp.cleanup();
  });

  it('accepts a signed bundle, returning every package with its Manifest.xml', async () => {
    const progress: [number, number][] = [];
    const result = await verifyBundle(bundle, {
      verificationKey: signer.publicKey,
      onProgress: (done, total) => progress.push([done, total]),
      concurrency: 2,
    });
    assert.equal(result.signature, 'verified');
    assert.equal(result.path, bundle);
    assert.deepEqual(result.manifest, manifest);
    assert.deepEqual(result.manifestBytes, await readFile(join(bundle, MANIFEST_FILE_NAME)));
    assert.deepEqual(
      result.packages.map((p) => [p.application.name, p.filePath, p.oap.application.uid]),
      manifest.applications.map((a) => [a.name, join(bundle, a.file), a.uid]),
    );
    const portal = result.packages.find((p) => p.application.name === 'Portal');
    assert.ok(portal !== undefined);
    assert.deepEqual(
      portal.oap.producers.map((p) => p.name),
      ['System Components', 'Core', 'Auth'],
    );
    assert.deepEqual(
      portal.application.producers.map((p) => p.key),
      [keyOf('Core'), keyOf('Auth')],
    );
    const total = manifest.applications.reduce((s, a) => s + a.size, 0);
    assert.deepEqual(progress.at(-1), [total, total]);
    assert.ok(progress.every(([done], i) => i === 0 || done >= (progress[i - 1]?.[0] ?? 0)));
  });

  it('accepts a signed bundle without a key, warning that the signature was not checked', async () => {
    const warnings: string[] = [];
    const result = await verifyBundle(bundle, { onWarning: (m) => warnings.push(m) });
    assert.equal(result.signature, 'not-checked');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /is signed .* no verificationKey is set/);
  });

  it('accepts an unsigned bundle when no key is set', async () => {
    await rm(join(bundle, SIGNATURE_FILE_NAME));
    const warnings: string[] = [];
    const result = await verifyBundle(bundle, { onWarning: (m) => warnings.push(m) });
    assert.equal(result.signature, 'unsigned');
    assert.deepEqual(warnings, []);
  });

  describe('refuses', () => {
    it('a folder that does not exist', async () => {
      await assertRefused(join(temp.path, 'nope'), {}, /bundle folder ".*nope" does not exist/);
    });

    it('a path that is a file', async () => {
      const file = join(bundle, fileOf(manifest, 'Core'));
      await assertRefused(file, {}, /is not a folder/);
    });

    it('a partial bundle without its manifest', async () => {
      await rm(join(bundle, MANIFEST_FILE_NAME));
      await assertRefused(bundle, {}, /has no airgap-manifest\.json: the bundle is incomplete/);
    });

    it('a manifest that is not JSON', async () => {
      await writeFile(join(bundle, MANIFEST_FILE_NAME), '{ "schemaVersion": 1, ');
      await assertRefused(bundle, {}, /is not valid JSON/, join(bundle, MANIFEST_FILE_NAME));
    });

    it('a manifest from a newer version', async () => {
      await writeManifest(bundle, { ...manifest, schemaVersion: 2 as 1 });
      await assertRefused(bundle, {}, /written by a newer version of the extension/);
    });

    it('a package with one byte flipped', async () => {
      const file = join(bundle, fileOf(manifest, 'Auth'));
      const bytes = await readFile(file);
      const middle = Math.floor(bytes.length / 2);
      bytes[middle] = (bytes[middle] ?? 0) ^ 0x01;
      await writeFile(file, bytes);
      await assertRefused(
        bundle,
        { verificationKey: signer.publicKey },
        /\(application "Auth"\) has sha256 [0-9a-f]{64}, but airgap-manifest\.json records/,
        file,
      );
    });

    it('a truncated package', async () => {
      const file = join(bundle, fileOf(manifest, 'Core'));
      await truncate(file, 100);
      await assertRefused(
        bundle,
        {},
        /\(application "Core"\) is 100 bytes, but airgap-manifest\.json records \d+: the file was cut short/,
        file,
      );
    });

    it('a package with bytes appended', async () => {
      const file = join(bundle, fileOf(manifest, 'Portal'));
      await appendFile(file, Buffer.from('extra'));
      await assertRefused(bundle, {}, /the file was added to after the export/, file);
    });

    it('a missing package', async () => {
      const file = join(bundle, fileOf(manifest, 'Core'));
      await rm(file);
      await assertRefused(bundle, {}, /\(application "Core"\) is missing from the bundle/, file);
    });

    it('a package that is a symbolic link', async () => {
      const file = join(bundle, fileOf(manifest, 'Core'));
      const elsewhere = join(temp.path, 'elsewhere.oap');
      await writeFile(elsewhere, await readFile(file));
      await rm(file);
      await symlink(elsewhere, file);
      await assertRefused(bundle, {}, /is a symbolic link/, file);
    });

    it('a package that is a folder', async () => {
      const file = join(bundle, fileOf(manifest, 'Core'));
      await rm(file);
      await mkdir(file);
      await assertRefused(bundle, {}, /is a folder, not a regular file/, file);
    });

    it('an .oap that the manifest does not list', async () => {
      await writeOap(join(bundle, 'Intruder.oap'), { uid: uidOf('Intruder'), name: 'Intruder' });
      await assertRefused(bundle, {}, /holds "Intruder\.oap", which airgap-manifest\.json does not list/);
    });

    it('an edited manifest field, which breaks the signature', async () => {
      const text = (await readFile(join(bundle, MANIFEST_FILE_NAME), 'utf8')).replace(
        '"version": "1.0.0"',
        '"version": "1.0.1"',
      );
      await writeFile(join(bundle, MANIFEST_FILE_NAME), text);
      await assertRefused(
        bundle,
        { verificationKey: signer.publicKey },
        /signature in airgap-manifest\.json\.sig does not verify with the key SHA256:\S+: the manifest was changed after it was signed/,
        join(bundle, MANIFEST_FILE_NAME),
      );
    });

    it('a signature made with another key', async () => {
      const other = generateKeyPairSync('ed25519');
      await writeManifest(bundle, manifest, other.privateKey);
      await assertRefused(bundle, { verificationKey: signer.publicKey }, /does not verify with the key/);
    });

    it('an unsigned bundle when a key is set', async () => {
      await rm(join(bundle, SIGNATURE_FILE_NAME));
      await assertRefused(
        bundle,
        { verificationKey: signer.publicKey },
        /is not signed \(no airgap-manifest\.json\.sig\), but a verificationKey is set/,
      );
    });

    it('a signature file that is empty', async () => {
      await writeFile(join(bundle, SIGNATURE_FILE_NAME), '');
      await assertRefused(bundle, { verificationKey: signer.publicKey }, /does not verify/);
    });

    for (const [what, file] of [
      ['a file name climbing out', '../x.oap'],
      ['an absolute file name', '/etc/passwd.oap'],
      ['a Windows absolute file name', 'C:\\Windows\\x.oap'],
    ] as const) {
      it(`${what}, even when the manifest is signed`, async () => {
        const [first, ...rest] = manifest.applications;
        assert.ok(first !== undefined);
        await writeFile(join(temp.path, 'x.oap'), await readFile(join(bundle, first.file)));
        await writeManifest(bundle, { ...manifest, applications: [{ ...first, file }, ...rest] }, signer.privateKey);
        await assertRefused(
          bundle,
          { verificationKey: signer.publicKey },
          /not a plain \.oap file name inside the bundle folder/,
        );
      });
    }

    it('a package whose Manifest.xml is for another application', async () => {
      const file = join(bundle, fileOf(manifest, 'Core'));
      const swapped = await writeOap(file, { uid: uidOf('Impostor'), name: 'Impostor' });
      const applications = manifest.applications.map((a) => (a.name === 'Core' ? { ...a, ...swapped } : a));
      await writeManifest(bundle, { ...manifest, applications }, signer.privateKey);
      await assertRefused(
        bundle,
        { verificationKey: signer.publicKey },
        /holds application "Impostor" \(UID \S+\), but airgap-manifest\.json lists it for "Core"/,
        file,
      );
    });

    it('a listed package that is not an OutSystems package', async () => {
      const file = join(bundle, fileOf(manifest, 'Core'));
      await writeFile(file, 'plain text, not a zip');
      const size = (await readFile(file)).length;
      const { createHash } = await import('node:crypto');
      const sha256 = createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
      const applications = manifest.applications.map((a) => (a.name === 'Core' ? { ...a, size, sha256 } : a));
      await writeManifest(bundle, { ...manifest, applications });
      await rm(join(bundle, SIGNATURE_FILE_NAME));
      await assertRefused(bundle, {}, /\(application "Core"\): is not a zip archive/, file);
    });
  });
});
