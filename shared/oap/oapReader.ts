// Reads the application and its producers from an .oap's Manifest.xml without extracting the
// package. Packages arrive from a file share, so every byte of them is treated as untrusted.
import type { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { closeSync } from 'node:fs';
import { NotRegularFileError, openRegularFileDescriptor } from '../util/regularFile';
import { MANIFEST_ENTRY, parseManifestXml } from './manifestXml';
import { OapError, type OapManifest } from './oapTypes';

export interface ReadOapOptions {
  /** Upper bound on Manifest.xml's uncompressed size; real ones are well under 1 MiB. */
  maxManifestBytes?: number;
}

const DEFAULT_MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

export async function readOapManifest(filePath: string, options: ReadOapOptions = {}): Promise<OapManifest> {
  const maxBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  const bytes = await readManifestEntry(filePath, maxBytes);
  return parseManifestXml(bytes, filePath);
}

async function readManifestEntry(filePath: string, maxBytes: number): Promise<Buffer> {
  let fd: number;
  try {
    // A package on the share may have been swapped for a named pipe or a link: never block on it.
    fd = await openRegularFileDescriptor(filePath);
  } catch (error) {
    if (error instanceof NotRegularFileError) throw new OapError(filePath, `is ${error.kind}, not a package file`);
    throw new OapError(filePath, openProblem(error));
  }
  let zip: yauzl.ZipFile;
  try {
    // yauzl owns the descriptor from here: zip.close() closes it.
    zip = await yauzl.fromFdPromise(fd, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (error) {
    closeSync(fd);
    throw new OapError(filePath, openProblem(error));
  }
  try {
    let manifest: yauzl.Entry | undefined;
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== MANIFEST_ENTRY) {
        continue;
      }
      // Two root manifests would let different readers see different applications.
      if (manifest !== undefined) {
        throw new OapError(filePath, `holds more than one ${MANIFEST_ENTRY}`);
      }
      manifest = entry;
    }
    if (manifest === undefined) {
      throw new OapError(
        filePath,
        `has no ${MANIFEST_ENTRY} at its root, so it is not an OutSystems application package`,
      );
    }
    if (manifest.uncompressedSize > maxBytes) {
      throw new OapError(
        filePath,
        `${MANIFEST_ENTRY} declares ${String(manifest.uncompressedSize)} bytes, more than the ${String(maxBytes)} allowed`,
      );
    }
    return await readLimited(zip, manifest, maxBytes, filePath);
  } catch (error) {
    if (error instanceof OapError) {
      throw error;
    }
    throw new OapError(filePath, `is a damaged zip archive (${describe(error)})`);
  } finally {
    zip.close();
  }
}

async function readLimited(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  maxBytes: number,
  filePath: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let stream: Readable;
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (error) {
    throw new OapError(filePath, `${MANIFEST_ENTRY} cannot be read (${describe(error)})`);
  }
  try {
    // The header's size is only a claim: count what inflates, so a zip bomb stops at the limit.
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      total += buffer.length;
      if (total > maxBytes) {
        throw new OapError(filePath, `${MANIFEST_ENTRY} inflates to more than the ${String(maxBytes)} bytes allowed`);
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof OapError) {
      throw error;
    }
    // yauzl checks the inflated size against the header and the deflate stream's integrity.
    throw new OapError(filePath, `${MANIFEST_ENTRY} cannot be read (${describe(error)})`);
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

function openProblem(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') {
    return 'does not exist';
  }
  if (code === 'EISDIR') {
    return 'is a folder, not a package file';
  }
  // Other fs codes (EACCES, EBUSY...) are about access; anything else is yauzl refusing the bytes.
  return typeof code === 'string'
    ? `cannot be opened (${describe(error)})`
    : `is not a zip archive (${describe(error)})`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
