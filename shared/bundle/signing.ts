// Ed25519 keys for the bundle manifest's signature. A key comes as PEM text (a secret variable)
// or as the path of a PEM file (a secure file); no message ever repeats the key's text.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** Far more than any PEM key; a bigger file is not a key and is not worth reading. */
const MAX_KEY_FILE_BYTES = 64 * 1024;
const ED25519_SIGNATURE_BYTES = 64;

export class KeyError extends Error {
  override name = 'KeyError';
}

interface KeySource {
  pem: string;
  /** How messages refer to where the key came from, e.g. `signingKey (file "/a/key.pem")`. */
  label: string;
}

export function loadPrivateKey(input: string, inputName: string): KeyObject {
  const { pem, label } = keySource(input, inputName);
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem)) {
    throw new KeyError(
      `${label} is an encrypted private key; give it unencrypted (openssl pkey -in key.pem -out plain.pem)`,
    );
  }
  // Any kind of private key gets through here, so that an RSA or EC key is named as such below.
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    throw new KeyError(
      /-----BEGIN PUBLIC KEY-----/.test(pem)
        ? `${label} is a public key; signing needs the Ed25519 private key`
        : `${label} is not a PEM private key (expected "-----BEGIN PRIVATE KEY-----")`,
    );
  }
  return readEd25519(pem, label, 'private');
}

export function loadPublicKey(input: string, inputName: string): KeyObject {
  const { pem, label } = keySource(input, inputName);
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(pem)) {
    throw new KeyError(
      `${label} is a private key; give the public key here (openssl pkey -in private.pem -pubout -out public.pem) and keep the private key on the export side only`,
    );
  }
  if (!/-----BEGIN PUBLIC KEY-----/.test(pem)) {
    throw new KeyError(`${label} is not a PEM public key (expected "-----BEGIN PUBLIC KEY-----")`);
  }
  return readEd25519(pem, label, 'public');
}

function readEd25519(pem: string, label: string, kind: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  try {
    key =
      kind === 'private' ? createPrivateKey({ key: pem, format: 'pem' }) : createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    // OpenSSL's reasons (e.g. "unsupported") carry no key material, unlike the input itself.
    throw new KeyError(`${label} cannot be read as a ${kind} key (${reason(error)})`);
  }
  return requireEd25519(key, label);
}

/** The raw 64-byte Ed25519 signature, as `openssl pkeyutl -sign -rawin` makes it. */
export function signManifest(bytes: Buffer, key: KeyObject): Buffer {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new KeyError('signing needs an Ed25519 private key');
  }
  return sign(null, bytes, key);
}

export function verifyManifestSignature(bytes: Buffer, signature: Buffer, key: KeyObject): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES || key.asymmetricKeyType !== 'ed25519') {
    return false;
  }
  return verify(null, bytes, key, signature);
}

/** `SHA256:<base64>` of the public key's SPKI DER, like ssh-keygen -l; safe to print. */
export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

function requireEd25519(key: KeyObject, label: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new KeyError(
      `${label} holds a key of type ${(key.asymmetricKeyType ?? 'unknown').toUpperCase()}; the bundle signature uses Ed25519 (openssl genpkey -algorithm ed25519)`,
    );
  }
  return key;
}

function keySource(input: string, inputName: string): KeySource {
  const text = input.trim();
  if (text === '') {
    throw new KeyError(`${inputName} is empty`);
  }
  if (text.includes('-----BEGIN')) {
    return { pem: repairPem(text), label: inputName };
  }
  if (/[\r\n]/.test(text) || looksLikeKeyMaterial(text)) {
    throw new KeyError(`${inputName} is neither PEM text (starting with "-----BEGIN") nor the path of a PEM file`);
  }
  const label = `${inputName} (file "${text}")`;
  let pem: string;
  try {
    const stat = statSync(text);
    if (!stat.isFile()) {
      throw new KeyError(`${label} is not a file`);
    }
    if (stat.size > MAX_KEY_FILE_BYTES) {
      throw new KeyError(`${label} is ${String(stat.size)} bytes, too large to be a PEM key`);
    }
    pem = readFileSync(text, 'utf8');
  } catch (error) {
    if (error instanceof KeyError) {
      throw error;
    }
    throw new KeyError(`${label} cannot be read (${reason(error)})`);
  }
  if (!pem.includes('-----BEGIN')) {
    throw new KeyError(`${label} does not hold a PEM key (no "-----BEGIN" line)`);
  }
  return { pem: repairPem(pem.trim()), label };
}

/**
 * Secret variables hold one line badly: a PEM pasted into one often arrives with its line breaks
 * turned into spaces. Rebuilding the lines from header, base64 body and footer undoes that.
 */
function repairPem(text: string): string {
  const match = /^(-----BEGIN [A-Z0-9 ]+-----)([\s\S]*?)(-----END [A-Z0-9 ]+-----)$/.exec(text);
  if (match === null) {
    return text;
  }
  const [, header = '', body = '', footer = ''] = match;
  const base64 = body.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/=]*$/.test(base64)) {
    // Headers such as Proc-Type (legacy encrypted PEM) are left for OpenSSL to judge.
    return text;
  }
  const lines = base64.match(/.{1,64}/g) ?? [];
  return [header, ...lines, footer, ''].join('\n');
}

/** A long run of base64 is more likely a key pasted without its PEM lines than a path: never echo it. */
function looksLikeKeyMaterial(text: string): boolean {
  return text.length >= 40 && /^[A-Za-z0-9+/=]+$/.test(text);
}

function reason(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
