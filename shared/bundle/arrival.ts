/**
 * Waiting for a bundle that a transfer service is still copying onto the share, file by file
 * (contract, "A bundle that is still arriving"). A missing manifest (or signature, when one is
 * required), a missing package or one still shorter than listed is "not yet", looked at again every
 * few seconds until the wait is over; a package longer than listed, a complete package with another
 * sha256, or a bad signature is tampering and refused at once. The full verification runs after
 * this, as for any bundle; this only decides when to start it.
 */
import { createHash, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BundleError } from './errors';
import { MANIFEST_FILE_NAME, SIGNATURE_FILE_NAME, parseBundleManifest, type BundleManifest } from './manifest';
import { publicKeyFingerprint, verifyManifestSignature } from './signing';
import { openRegularFile, readRegularFile } from '../util/regularFile';

export interface ArrivalOptions {
  waitMinutes: number;
  verificationKey?: KeyObject;
  signal: AbortSignal;
  /** What is still missing, when it changes (and now and then while it does not). */
  onProgress: (missing: string[]) => void;
  /** Between two looks; at most 5 s (contract). */
  pollMs?: number;
}

/** The raw 64-byte Ed25519 signature. */
const SIGNATURE_BYTES = 64;
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const DEFAULT_POLL_MS = 2000;
const REPEAT_PROGRESS_MS = 30_000;

type Look = { complete: true } | { complete: false; missing: string[] };

function size(file: string): number | undefined {
  try {
    const info = fs.lstatSync(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

/** Opened regular-file-only: a pipe swapped in on the share must not block the wait. */
async function sha256Of(file: string): Promise<string> {
  const handle = await openRegularFile(file);
  try {
    const hash = createHash('sha256');
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    await handle.close();
  }
}

function bytesText(n: number): string {
  return n < 1024 * 1024 ? `${Math.round(n / 1024)} KiB` : `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

class Watcher {
  /** Packages found complete with the listed sha256: "size:mtime" when hashed. */
  private readonly hashed = new Map<string, string>();
  constructor(
    private readonly folder: string,
    private readonly key: KeyObject | undefined,
  ) {}

  /** `hash`: check complete packages' sha256 now (not on the first look: the verification does that). */
  async look(hash: boolean): Promise<Look> {
    const manifestPath = path.join(this.folder, MANIFEST_FILE_NAME);
    const manifestSize = size(manifestPath);
    if (manifestSize === undefined) return { complete: false, missing: [`${MANIFEST_FILE_NAME} (not there yet)`] };
    if (manifestSize > MAX_MANIFEST_BYTES) return { complete: true }; // the verification refuses it, naming it
    const bytes = await readRegularFile(manifestPath, MAX_MANIFEST_BYTES);
    let manifest: BundleManifest;
    try {
      manifest = parseBundleManifest(bytes, manifestPath);
    } catch {
      // A manifest still being written is not valid JSON yet; one that stays so fails at the end of the wait.
      return { complete: false, missing: [`${MANIFEST_FILE_NAME} (${bytesText(manifestSize)} so far, not complete)`] };
    }
    const missing: string[] = [];
    if (this.key !== undefined) {
      const sigPath = path.join(this.folder, SIGNATURE_FILE_NAME);
      const sigSize = size(sigPath);
      if (sigSize === undefined || sigSize < SIGNATURE_BYTES) {
        missing.push(`${SIGNATURE_FILE_NAME} (${sigSize === undefined ? 'not there yet' : 'not complete'})`);
      } else if (!verifyManifestSignature(bytes, await readRegularFile(sigPath, 1024), this.key)) {
        throw new BundleError(
          `bundle manifest "${manifestPath}":`,
          `its signature in ${SIGNATURE_FILE_NAME} does not verify with the key ${publicKeyFingerprint(this.key)}: the manifest was changed after it was signed, or it was signed with another key; refused without waiting`,
        );
      }
    }
    for (const app of manifest.applications) {
      const file = path.join(this.folder, app.file);
      const where = `package "${file}" (${app.name} ${app.version})`;
      const have = size(file);
      if (have === undefined) {
        missing.push(`${app.file} (not there yet)`);
        continue;
      }
      if (have > app.size) {
        throw new BundleError(
          where,
          `is ${have} bytes, more than the ${app.size} bytes ${MANIFEST_FILE_NAME} records: it was added to after the export; refused without waiting`,
        );
      }
      if (have < app.size) {
        missing.push(`${app.file} (${bytesText(have)} of ${bytesText(app.size)})`);
        continue;
      }
      if (!hash) continue;
      const stamp = `${have}:${fs.statSync(file).mtimeMs}`;
      if (this.hashed.get(file) === stamp) continue;
      const actual = await sha256Of(file);
      if (actual !== app.sha256) {
        throw new BundleError(
          where,
          `is complete but has sha256 ${actual}, not the ${app.sha256} that ${MANIFEST_FILE_NAME} records: it was changed after the export; refused without waiting`,
        );
      }
      this.hashed.set(file, stamp);
    }
    return missing.length === 0 ? { complete: true } : { complete: false, missing };
  }
}

/**
 * Resolves when the bundle looks complete (the caller then verifies it in full); throws a
 * BundleError for tampering at once, and when the wait is over naming what never arrived.
 */
export async function waitForBundle(bundlePath: string, options: ArrivalOptions): Promise<void> {
  const folder = path.resolve(bundlePath);
  const watcher = new Watcher(folder, options.verificationKey);
  const deadline = Date.now() + options.waitMinutes * 60_000;
  const pollMs = Math.min(options.pollMs ?? DEFAULT_POLL_MS, 5000);
  let said = '';
  let saidAt = 0;
  for (let first = true; ; first = false) {
    let look: Look = fs.existsSync(folder)
      ? await watcher.look(!first)
      : { complete: false, missing: [`the bundle folder itself (not there yet)`] };
    // Not complete at first sight: the packages that are complete are hashed now, so tampering is refused at once.
    if (first && !look.complete && fs.existsSync(folder)) look = await watcher.look(true);
    if (look.complete) return;
    const text = look.missing.join(', ');
    if (text !== said || Date.now() - saidAt >= REPEAT_PROGRESS_MS) {
      options.onProgress(look.missing);
      said = text;
      saidAt = Date.now();
    }
    if (Date.now() >= deadline) {
      throw new BundleError(
        `bundle "${folder}"`,
        `is still not complete after waiting ${options.waitMinutes} minute(s) (waitForBundleMinutes); missing: ${text}`,
      );
    }
    try {
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), undefined, { signal: options.signal });
    } catch {
      throw new BundleError(`bundle "${folder}"`, `was still arriving when the task was cancelled; missing: ${text}`);
    }
  }
}
