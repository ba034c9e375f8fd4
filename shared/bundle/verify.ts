// Everything about a bundle is checked before anything runs: a deploy must never start on a
// partial, altered or foreign bundle, and every refusal names the file at fault.
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { readOapManifest } from '../oap/oapReader';
import { OapError, type OapManifest } from '../oap/oapTypes';
import { mapWithConcurrency } from '../util/concurrency';
import {
  FileTooLargeError,
  NotRegularFileError,
  describeFileKind,
  openRegularFile,
  readRegularFile,
} from '../util/regularFile';
import { BundleError } from './errors';
import { MANIFEST_FILE_NAME, SIGNATURE_FILE_NAME, parseBundleManifest } from './manifest';
import type { BundleApplication, BundleManifest } from './manifest';
import { publicKeyFingerprint, verifyManifestSignature } from './signing';

export interface VerifyOptions {
  /** When set, the bundle must carry a signature this key verifies. */
  verificationKey?: KeyObject;
  onWarning?: (msg: string) => void;
  /** Bytes hashed so far; called when the whole percentage changes, not for every chunk. */
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Packages hashed at once. */
  concurrency?: number;
}

export interface VerifiedPackage {
  application: BundleApplication;
  /** Absolute path of the package inside the bundle folder. */
  filePath: string;
  oap: OapManifest;
}

export interface VerifiedBundle {
  path: string;
  manifest: BundleManifest;
  manifestBytes: Buffer;
  signature: 'verified' | 'unsigned' | 'not-checked';
  /** In the manifest's `applications` order. */
  packages: VerifiedPackage[];
}

const DEFAULT_CONCURRENCY = 4;
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
const MAX_SIGNATURE_BYTES = 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

export async function verifyBundle(bundlePath: string, options: VerifyOptions = {}): Promise<VerifiedBundle> {
  const folder = resolve(bundlePath);
  await checkFolder(folder);

  const manifestPath = join(folder, MANIFEST_FILE_NAME);
  const manifestBytes = await readSmallFile(
    manifestPath,
    MAX_MANIFEST_BYTES,
    `has no ${MANIFEST_FILE_NAME}: the bundle is incomplete (its export did not finish) or this is not a bundle folder`,
  );
  // The signature covers the exact bytes, so it is checked before the content is trusted at all.
  const signature = await checkSignature(folder, manifestBytes, options);
  const manifest = parseBundleManifest(manifestBytes, manifestPath);

  const entries = manifest.applications.map((application) => ({
    application,
    filePath: packagePath(folder, application),
  }));
  await checkFolderListing(folder, manifest);
  for (const entry of entries) {
    await checkPackageFile(entry.filePath, entry.application);
  }

  const totalBytes = entries.reduce((sum, e) => sum + e.application.size, 0);
  const progress = progressReporter(totalBytes, options.onProgress);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
  await mapWithConcurrency(entries, concurrency, (e) => checkPackageHash(e.filePath, e.application, progress));
  progress(0, true);

  const packages = await mapWithConcurrency(entries, concurrency, async (e) => ({
    ...e,
    oap: await readPackageManifest(e.filePath, e.application),
  }));
  return { path: folder, manifest, manifestBytes, signature, packages };
}

async function checkFolder(folder: string): Promise<void> {
  let info;
  try {
    info = await stat(folder);
  } catch (error) {
    throw new BundleError(
      `bundle folder "${folder}"`,
      isMissing(error) ? 'does not exist' : `cannot be read (${reason(error)})`,
    );
  }
  if (!info.isDirectory()) {
    throw new BundleError(`bundle folder "${folder}"`, 'is not a folder');
  }
}

async function checkSignature(
  folder: string,
  manifestBytes: Buffer,
  options: VerifyOptions,
): Promise<VerifiedBundle['signature']> {
  const signaturePath = join(folder, SIGNATURE_FILE_NAME);
  const key = options.verificationKey;
  if (key === undefined) {
    if (await exists(signaturePath)) {
      options.onWarning?.(
        `The bundle "${folder}" is signed (${SIGNATURE_FILE_NAME}), but no verificationKey is set, so its signature was not checked; only sizes and sha256 were.`,
      );
      return 'not-checked';
    }
    return 'unsigned';
  }
  const signature = await readSmallFile(
    signaturePath,
    MAX_SIGNATURE_BYTES,
    `is not signed (no ${SIGNATURE_FILE_NAME}), but a verificationKey is set, so only signed bundles are accepted`,
  );
  if (!verifyManifestSignature(manifestBytes, signature, key)) {
    throw new BundleError(
      `bundle manifest "${join(folder, MANIFEST_FILE_NAME)}":`,
      `its signature in ${SIGNATURE_FILE_NAME} does not verify with the key ${publicKeyFingerprint(key)}: the manifest was changed after it was signed, or it was signed with another key`,
    );
  }
  return 'verified';
}

/** Reads a manifest-sized file that must be a regular file (a symlink could point anywhere). */
async function readSmallFile(filePath: string, maxBytes: number, missingProblem: string): Promise<Buffer> {
  const where = `bundle file "${filePath}"`;
  try {
    // Regular-file-only and never blocking; the limit holds for what is read, as the file may grow.
    return await readRegularFile(filePath, maxBytes);
  } catch (error) {
    if (isMissing(error)) throw new BundleError(`bundle "${resolve(filePath, '..')}"`, missingProblem);
    if (error instanceof NotRegularFileError) {
      const problem =
        error.kind === 'a symbolic link' ? 'is a symbolic link, not a file' : `is ${error.kind}, not a regular file`;
      throw new BundleError(where, problem);
    }
    if (error instanceof FileTooLargeError) {
      throw new BundleError(where, `is more than the ${String(maxBytes)} bytes a bundle file may have`);
    }
    throw new BundleError(where, `cannot be read (${reason(error)})`);
  }
}

function packagePath(folder: string, application: BundleApplication): string {
  const filePath = join(folder, application.file);
  const rel = relative(folder, filePath);
  // parseBundleManifest allows plain names only; this guards the join itself as well.
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.includes('/') || rel.includes('\\')) {
    throw new BundleError(
      `bundle "${folder}"`,
      `application "${application.name}" names the file ${JSON.stringify(application.file)}, which is outside the bundle folder`,
    );
  }
  return filePath;
}

/** An .oap nobody listed could be deployed by hand from the share by mistake; refuse the bundle. */
async function checkFolderListing(folder: string, manifest: BundleManifest): Promise<void> {
  const listed = new Set(manifest.applications.map((a) => a.file.toLowerCase()));
  const names = await readdir(folder);
  const extra = names.filter((n) => n.toLowerCase().endsWith('.oap') && !listed.has(n.toLowerCase())).sort();
  if (extra.length > 0) {
    throw new BundleError(
      `bundle "${folder}"`,
      `holds ${extra.map((n) => `"${n}"`).join(', ')}, which ${MANIFEST_FILE_NAME} does not list: packages were added after the export`,
    );
  }
}

async function checkPackageFile(filePath: string, application: BundleApplication): Promise<void> {
  const where = `package "${filePath}" (application "${application.name}")`;
  let info;
  try {
    info = await lstat(filePath);
  } catch (error) {
    throw new BundleError(where, isMissing(error) ? `is missing from the bundle` : `cannot be read (${reason(error)})`);
  }
  if (info.isSymbolicLink()) {
    throw new BundleError(where, 'is a symbolic link; a bundle holds the packages themselves');
  }
  if (!info.isFile()) {
    throw new BundleError(where, `is ${describeFileKind(info)}, not a regular file`);
  }
  checkSize(info.size, application, where);
}

function checkSize(actual: number, application: BundleApplication, where: string): void {
  if (actual !== application.size) {
    throw new BundleError(
      where,
      `is ${String(actual)} bytes, but ${MANIFEST_FILE_NAME} records ${String(application.size)}: the file was ${actual < application.size ? 'cut short' : 'added to'} after the export`,
    );
  }
}

/**
 * Hashes one package and compares it with the manifest. With `copyTo`, the bytes hashed are also
 * written there, so the copy is exactly what was verified: the deploy publishes such a copy, and a
 * file swapped on the share after verification can never reach OSPTool.
 */
export async function checkPackageHash(
  filePath: string,
  application: BundleApplication,
  progress: (bytes: number) => void = () => undefined,
  copyTo?: string,
): Promise<void> {
  const where = `package "${filePath}" (application "${application.name}")`;
  const handle = await openNoFollow(filePath, where);
  const hash = createHash('sha256');
  const copy = copyTo === undefined ? undefined : createWriteStream(copyTo, { flags: 'wx' });
  let read = 0;
  try {
    // Checked again on the open handle: the file may have been swapped since it was listed.
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new BundleError(where, 'is not a regular file');
    }
    checkSize(info.size, application, where);
    const stream = createReadStream('', { fd: handle, autoClose: false, highWaterMark: READ_CHUNK_BYTES, start: 0 });
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      hash.update(buffer);
      read += buffer.length;
      if (read > application.size) break;
      if (copy !== undefined && !copy.write(buffer)) await once(copy, 'drain');
      progress(buffer.length);
    }
    if (copy !== undefined) {
      copy.end();
      await finished(copy);
    }
    checkSize(read, application, where);
    const actual = hash.digest('hex');
    if (actual !== application.sha256) {
      throw new BundleError(
        where,
        `has sha256 ${actual}, but ${MANIFEST_FILE_NAME} records ${application.sha256}: the file was changed after the export (or damaged in transfer)`,
      );
    }
  } catch (error) {
    if (copy !== undefined && copyTo !== undefined) {
      copy.destroy();
      await rm(copyTo, { force: true });
    }
    if (error instanceof BundleError) {
      throw error;
    }
    throw new BundleError(where, `cannot be read (${reason(error)})`);
  } finally {
    await handle.close();
  }
}

async function readPackageManifest(filePath: string, application: BundleApplication): Promise<OapManifest> {
  const where = `package "${filePath}" (application "${application.name}")`;
  let oap: OapManifest;
  try {
    oap = await readOapManifest(filePath);
  } catch (error) {
    if (error instanceof OapError) {
      throw new BundleError(`${where}:`, error.problem);
    }
    throw error;
  }
  if (oap.application.uid !== application.uid) {
    throw new BundleError(
      where,
      `holds application "${oap.application.name}" (UID ${oap.application.uid}), but ${MANIFEST_FILE_NAME} lists it for "${application.name}" (UID ${application.uid})`,
    );
  }
  return oap;
}

/** Opens a file of the bundle for reading: a regular file only, never a link, never blocking (regularFile.ts). */
async function openNoFollow(filePath: string, where: string): Promise<FileHandle> {
  try {
    return await openRegularFile(filePath);
  } catch (error) {
    if (error instanceof NotRegularFileError) {
      throw new BundleError(
        where,
        error.kind === 'a symbolic link'
          ? 'is a symbolic link; a bundle holds the packages themselves'
          : `is ${error.kind}, not a regular file`,
      );
    }
    throw new BundleError(
      where,
      isMissing(error) ? 'is missing from the bundle' : `cannot be opened (${reason(error)})`,
    );
  }
}

function progressReporter(
  totalBytes: number,
  onProgress: ((doneBytes: number, totalBytes: number) => void) | undefined,
): (bytes: number, final?: boolean) => void {
  let done = 0;
  let lastPercent = -1;
  return (bytes, final = false) => {
    done += bytes;
    const percent = totalBytes > 0 ? Math.floor((done * 100) / totalBytes) : 100;
    if (onProgress !== undefined && (percent !== lastPercent || final)) {
      lastPercent = percent;
      onProgress(done, totalBytes);
    }
  };
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await lstat(filePath);
    return true;
  } catch (error) {
    if (isMissing(error)) {
      return false;
    }
    throw new BundleError(`bundle file "${filePath}"`, `cannot be read (${reason(error)})`);
  }
}

function isMissing(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'ENOENT' || error.code === 'ENOTDIR')
  );
}

function reason(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error instanceof Error ? `${error.code}: ${error.message}` : error.code;
  }
  return error instanceof Error ? error.message : String(error);
}
