// Reads the application and its producers from an .oap's Manifest.xml without extracting the
// package. Packages arrive from a file share, so every byte of them is treated as untrusted.
import type { Readable } from 'node:stream';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import * as yauzl from 'yauzl';
import { closeSync } from 'node:fs';
import { NotRegularFileError, openRegularFileDescriptor } from '../util/regularFile';

export interface OapApplication {
  uid: string;
  name: string;
  kind?: string;
}

export interface OapProducer {
  uid: string;
  name: string;
}

export interface OapManifest {
  application: OapApplication;
  producers: OapProducer[];
}

export interface ReadOapOptions {
  /** Upper bound on Manifest.xml's uncompressed size; real ones are well under 1 MiB. */
  maxManifestBytes?: number;
}

export class OapError extends Error {
  constructor(
    readonly filePath: string,
    readonly problem: string,
  ) {
    super(`OutSystems package "${filePath}": ${problem}`);
    this.name = 'OapError';
  }
}

const MANIFEST_ENTRY = 'Manifest.xml';
const DEFAULT_MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
const ARRAY_TAGS = new Set(['Solution', 'Application', 'ReferencedApplication']);

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

export function parseManifestXml(bytes: Buffer, filePath: string): OapManifest {
  let text: string;
  try {
    // TextDecoder drops a leading BOM and, being fatal, refuses invalid UTF-8.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new OapError(filePath, `${MANIFEST_ENTRY} is not valid UTF-8`);
  }
  // Real manifests never declare a DTD; refusing one rules out entity-expansion tricks entirely.
  if (/<!DOCTYPE/i.test(text)) {
    throw new OapError(filePath, `${MANIFEST_ENTRY} declares a DOCTYPE, which OutSystems packages never do`);
  }
  // XMLParser alone accepts truncated and mismatched XML. fast-xml-validator, which fast-xml-parser 5
  // suggests instead, is not a dependency of this project, so the deprecated bundled validator is used.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new OapError(
      filePath,
      `${MANIFEST_ENTRY} is not well-formed XML (line ${String(line)}, column ${String(col)}: ${msg})`,
    );
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    isArray: (tagName, _path, _leaf, isAttribute) => !isAttribute && ARRAY_TAGS.has(tagName),
  });
  const root: unknown = parser.parse(text);
  const pack = child(root, 'Pack');
  if (pack === undefined) {
    throw new OapError(filePath, `${MANIFEST_ENTRY} has no <Pack> root element`);
  }
  const applications = children(child(pack, 'Solutions'), 'Solution').flatMap((solution) =>
    children(child(solution, 'Applications'), 'Application'),
  );
  const [application, ...others] = applications;
  if (application === undefined) {
    throw new OapError(
      filePath,
      `${MANIFEST_ENTRY} describes no application (no Pack/Solutions/Solution/Applications/Application)`,
    );
  }
  if (others.length > 0) {
    throw new OapError(
      filePath,
      `${MANIFEST_ENTRY} describes ${String(applications.length)} applications; an application package holds exactly one`,
    );
  }
  const uid = requiredAttribute(application, 'UID', 'Application', filePath);
  const name = requiredAttribute(application, 'Name', 'Application', filePath);
  const kind = attribute(application, 'ApplicationKind');

  const producers: OapProducer[] = [];
  const seen = new Set<string>([uid]);
  children(child(application, 'References'), 'ReferencedApplication').forEach((reference, index) => {
    const where = `ReferencedApplication #${String(index + 1)} of "${name}"`;
    const producerUid = requiredAttribute(reference, 'UID', where, filePath);
    const producerName = requiredAttribute(reference, 'Name', where, filePath);
    // The application itself and repeated references add nothing to its dependencies.
    if (!seen.has(producerUid)) {
      seen.add(producerUid);
      producers.push({ uid: producerUid, name: producerName });
    }
  });
  return { application: kind === undefined ? { uid, name } : { uid, name, kind }, producers };
}

function requiredAttribute(node: unknown, name: string, where: string, filePath: string): string {
  const value = attribute(node, name);
  if (value === undefined) {
    throw new OapError(filePath, `${MANIFEST_ENTRY}: ${where} has no ${name}`);
  }
  return value;
}

function attribute(node: unknown, name: string): string | undefined {
  const value = child(node, `@_${name}`);
  if (typeof value !== 'string') {
    return undefined;
  }
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function child(node: unknown, key: string): unknown {
  if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) {
    return undefined;
  }
  return (node as Record<string, unknown>)[key];
}

function children(node: unknown, key: string): unknown[] {
  const value = child(node, key);
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? (value as unknown[]) : [value];
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
