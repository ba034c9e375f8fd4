import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE_NAME, SIGNATURE_FILE_NAME } from '../../shared/bundle/manifest';
import {
  KeyError,
  loadPrivateKey,
  loadPublicKey,
  publicKeyFingerprint,
  signManifest,
  verifyManifestSignature,
} from '../../shared/bundle/signing';
import { tempFolder } from '../oap/zipHelpers';

function openssl(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (result.error !== undefined) {
    throw result.error;
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function pem(key: KeyObject): string {
  const text = key.export({ format: 'pem', type: key.type === 'private' ? 'pkcs8' : 'spki' });
  return typeof text === 'string' ? text : text.toString('utf8');
}

/** The refusal must name the input and must not repeat any of the key's base64. */
function assertKeyRefused(load: () => unknown, problem: RegExp, secretText?: string): void {
  assert.throws(load, (error: unknown) => {
    assert.ok(error instanceof KeyError, String(error));
    assert.match(error.message, problem);
    if (secretText !== undefined) {
      for (const line of secretText.split('\n').filter((l) => l.length > 8 && !l.startsWith('-----'))) {
        assert.ok(!error.message.includes(line), 'the message repeats key text');
        assert.ok(!error.message.includes(line.slice(0, 12)), 'the message repeats part of the key text');
      }
    }
    return true;
  });
}

describe('bundle signing', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  let privatePath: string;
  let publicPath: string;
  before(async () => {
    folder = await tempFolder('signing');
    privatePath = join(folder.path, 'private.pem');
    publicPath = join(folder.path, 'public.pem');
    assert.equal(openssl(['genpkey', '-algorithm', 'ed25519', '-out', privatePath], folder.path).status, 0);
    assert.equal(openssl(['pkey', '-in', privatePath, '-pubout', '-out', publicPath], folder.path).status, 0);
  });
  after(async () => {
    await folder.cleanup();
  });

  it('signs so that openssl pkeyutl -verify accepts the signature, and rejects a changed manifest', async () => {
    const privateKey = loadPrivateKey(privatePath, 'signingKey');
    const manifest = Buffer.from('{\n  "schemaVersion": 1\n}\n');
    const signature = signManifest(manifest, privateKey);
    assert.equal(signature.length, 64);
    await writeFile(join(folder.path, MANIFEST_FILE_NAME), manifest);
    await writeFile(join(folder.path, SIGNATURE_FILE_NAME), signature);
    const verifyArgs = [
      'pkeyutl',
      '-verify',
      '-pubin',
      '-inkey',
      'public.pem',
      '-rawin',
      '-in',
      MANIFEST_FILE_NAME,
      '-sigfile',
      SIGNATURE_FILE_NAME,
    ];
    const ok = openssl(verifyArgs, folder.path);
    assert.equal(ok.status, 0, ok.output);
    assert.match(ok.output, /Signature Verified Successfully/);

    await writeFile(join(folder.path, MANIFEST_FILE_NAME), Buffer.from('{\n  "schemaVersion": 2\n}\n'));
    assert.notEqual(openssl(verifyArgs, folder.path).status, 0);
  });

  it('verifies a signature that openssl made', async () => {
    const data = join(folder.path, 'data.json');
    const sig = join(folder.path, 'data.sig');
    await writeFile(data, '{"made":"by openssl"}\n');
    const made = openssl(['pkeyutl', '-sign', '-inkey', privatePath, '-rawin', '-in', data, '-out', sig], folder.path);
    assert.equal(made.status, 0, made.output);
    const publicKey = loadPublicKey(publicPath, 'verificationKey');
    assert.equal(verifyManifestSignature(await readFile(data), await readFile(sig), publicKey), true);
    assert.equal(
      verifyManifestSignature(Buffer.from('{"made":"by someone else"}\n'), await readFile(sig), publicKey),
      false,
    );
  });

  it('loads the same key from PEM text, from a path, and from PEM flattened onto one line', async () => {
    const text = await readFile(privatePath, 'utf8');
    const fromPath = loadPrivateKey(privatePath, 'signingKey');
    const fromText = loadPrivateKey(text, 'signingKey');
    const flattened = loadPrivateKey(text.replace(/\n/g, ' '), 'signingKey');
    const fingerprint = publicKeyFingerprint(fromPath);
    assert.equal(publicKeyFingerprint(fromText), fingerprint);
    assert.equal(publicKeyFingerprint(flattened), fingerprint);
    const publicText = await readFile(publicPath, 'utf8');
    assert.equal(publicKeyFingerprint(loadPublicKey(publicText.replace(/\n/g, ' '), 'verificationKey')), fingerprint);
  });

  it('fingerprints the SPKI DER like openssl does, the same for both halves', async () => {
    const der = openssl(['pkey', '-pubin', '-in', publicPath, '-outform', 'DER', '-out', 'public.der'], folder.path);
    assert.equal(der.status, 0, der.output);
    const { createHash } = await import('node:crypto');
    const expected = `SHA256:${createHash('sha256')
      .update(await readFile(join(folder.path, 'public.der')))
      .digest('base64')
      .replace(/=+$/, '')}`;
    assert.equal(publicKeyFingerprint(loadPublicKey(publicPath, 'verificationKey')), expected);
    assert.equal(publicKeyFingerprint(loadPrivateKey(privatePath, 'signingKey')), expected);
    assert.doesNotMatch(expected, /=/);
  });

  it('does not verify with another key or a signature of the wrong length', () => {
    const mine = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519');
    const bytes = Buffer.from('manifest');
    const signature = signManifest(bytes, mine.privateKey);
    assert.equal(verifyManifestSignature(bytes, signature, mine.publicKey), true);
    assert.equal(verifyManifestSignature(bytes, signature, other.publicKey), false);
    assert.equal(verifyManifestSignature(bytes, signature.subarray(0, 63), mine.publicKey), false);
    assert.equal(verifyManifestSignature(bytes, Buffer.concat([signature, Buffer.from([0])]), mine.publicKey), false);
  });

  describe('refuses, naming the input and never the key', () => {
    it('a private key given as the verification key', async () => {
      const text = await readFile(privatePath, 'utf8');
      assertKeyRefused(
        () => loadPublicKey(text, 'verificationKey'),
        /^verificationKey is a private key; give the public key here/,
        text,
      );
      assertKeyRefused(
        () => loadPublicKey(privatePath, 'verificationKey'),
        new RegExp(
          `^verificationKey \\(file "${privatePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\) is a private key`,
        ),
        text,
      );
    });

    it('a public key given as the signing key', () => {
      assertKeyRefused(
        () => loadPrivateKey(publicPath, 'signingKey'),
        /is a public key; signing needs the Ed25519 private key/,
      );
    });

    it('an RSA or EC key', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      assertKeyRefused(
        () => loadPrivateKey(pem(rsa.privateKey), 'signingKey'),
        /^signingKey holds a key of type RSA; the bundle signature uses Ed25519/,
        pem(rsa.privateKey),
      );
      assertKeyRefused(
        () => loadPublicKey(pem(ec.publicKey), 'verificationKey'),
        /^verificationKey holds a key of type EC;/,
        pem(ec.publicKey),
      );
    });

    it('a damaged PEM', async () => {
      const text = await readFile(privatePath, 'utf8');
      const damaged = text.replace(/^(MC4C)/m, 'MC4D');
      assertKeyRefused(
        () => loadPrivateKey(damaged, 'signingKey'),
        /^signingKey cannot be read as a private key/,
        damaged,
      );
    });

    it('base64 key material without PEM lines, without echoing it', async () => {
      const text = await readFile(privatePath, 'utf8');
      const bare = text
        .split('\n')
        .filter((l) => !l.startsWith('-----'))
        .join('');
      assertKeyRefused(
        () => loadPrivateKey(bare, 'signingKey'),
        /^signingKey is neither PEM text .* nor the path of a PEM file$/,
        text,
      );
    });

    it('a missing file, naming its path', () => {
      const missing = join(folder.path, 'nope.pem');
      assertKeyRefused(
        () => loadPrivateKey(missing, 'signingKey'),
        /signingKey \(file ".*nope\.pem"\) cannot be read \(ENOENT\)/,
      );
    });

    it('a file that holds no PEM, and a folder', async () => {
      const notPem = join(folder.path, 'note.txt');
      await writeFile(notPem, 'hello');
      assertKeyRefused(() => loadPublicKey(notPem, 'verificationKey'), /note\.txt"\) does not hold a PEM key/);
      assertKeyRefused(() => loadPublicKey(folder.path, 'verificationKey'), /is not a file/);
    });

    it('an encrypted private key', () => {
      const encrypted = join(folder.path, 'encrypted.pem');
      const made = openssl(
        ['pkey', '-in', privatePath, '-aes256', '-passout', 'pass:secret', '-out', encrypted],
        folder.path,
      );
      assert.equal(made.status, 0, made.output);
      assertKeyRefused(
        () => loadPrivateKey(encrypted, 'signingKey'),
        /is an encrypted private key; give it unencrypted/,
      );
    });

    it('an empty input', () => {
      assertKeyRefused(() => loadPrivateKey('  ', 'signingKey'), /^signingKey is empty$/);
    });
  });
});
