// Synthetic .oap packages with the Manifest.xml shape of real OutSystems 11 exports
// (test/fixtures/oap), so that tests and the LifeTime emulator can make packages of any size.
import { createCipheriv, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { bytesToUid } from '../../shared/oap/uid';

export interface OapSpec {
  uid: string;
  name: string;
  producers?: { uid: string; name: string }[];
  moduleName?: string;
  payloadBytes?: number;
  seed?: string;
  description?: string;
  /**
   * Bytes of the application icon that Manifest.xml carries in base64. Real packages carry their
   * icon there (a 1024 × 1024 PNG made the 123 KB manifest of test/fixtures/oap/cicd-probe-o11.oap);
   * without it, a 1 × 1 PNG.
   */
  iconBytes?: number;
}

const DEFAULT_PAYLOAD_BYTES = 4096;
const CHUNK_BYTES = 1024 * 1024;
const SERVER_VERSION = '11.0.211.0';
const CREATION = '2019-04-15 18:21:55';
// Local-time constructor plus forceDosTimestamp: the DOS fields are then the same in every time
// zone, so one spec gives the same bytes everywhere.
const ZIP_MTIME = new Date(2019, 3, 15, 18, 21, 56);

/** Writes a package; same spec, same bytes. Streams the payload, so gigabyte packages are fine. */
export async function writeOap(filePath: string, spec: OapSpec): Promise<{ size: number; sha256: string }> {
  const payloadBytes = spec.payloadBytes ?? DEFAULT_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(payloadBytes) || payloadBytes < 0) {
    throw new RangeError(`payloadBytes must be a non-negative integer, got ${String(payloadBytes)}`);
  }
  const seed = spec.seed ?? spec.uid;
  const solutionName = identifier(spec.name);
  const moduleName = identifier(spec.moduleName ?? spec.name.replace(/[^A-Za-z0-9]+/g, ''));
  const moduleUid = derivedUid(seed, 'module');
  const header = Buffer.from(`OML\x03|${SERVER_VERSION}|${moduleUid}|${moduleName}|\r\n`, 'latin1');

  const zip = new ZipFile();
  const manifest = manifestXml(spec, seed, solutionName, moduleName, moduleUid);
  zip.addBuffer(manifest, 'Manifest.xml', { mtime: ZIP_MTIME, forceDosTimestamp: true, compress: true });
  zip.addEmptyDirectory(`${solutionName}/`, { mtime: ZIP_MTIME, forceDosTimestamp: true });
  zip.addReadStream(Readable.from(omlChunks(header, seed, payloadBytes)), `${solutionName}/${moduleName}.oml`, {
    mtime: ZIP_MTIME,
    forceDosTimestamp: true,
    compress: false,
    size: header.length + payloadBytes,
  });
  zip.end();

  const hash = createHash('sha256');
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, callback): void {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await pipeline(zip.outputStream, measure, createWriteStream(filePath));
  } catch (error) {
    await rm(filePath, { force: true });
    throw error;
  }
  return { size, sha256: hash.digest('hex') };
}

function* omlChunks(header: Buffer, seed: string, payloadBytes: number): Generator<Buffer> {
  yield header;
  // AES-CTR keystream: fast, incompressible, and fully determined by the seed.
  const key = createHash('sha256').update(`oapFactory payload\0${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK_BYTES);
  for (let left = payloadBytes; left > 0; left -= CHUNK_BYTES) {
    yield cipher.update(left >= CHUNK_BYTES ? zeros : zeros.subarray(0, left));
  }
}

function manifestXml(spec: OapSpec, seed: string, solutionName: string, moduleName: string, moduleUid: string): Buffer {
  const description = spec.description ?? `Synthetic application ${spec.name}.`;
  const a = (name: string, value: string): string => `${name}="${escapeXml(value)}"`;
  const lines: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Pack Schema="3" ${a('HubServerVersion', SERVER_VERSION)} LastUpgradeVersion="11.0.0.200" IsApplicationPack="true" ${a('UID', derivedUid(seed, 'pack'))} Creation="${CREATION}">`,
    '\t<Solutions>',
    `\t\t<Solution Schema="3" HubServerVersion="${SERVER_VERSION}" ${a('UID', spec.uid)} Creation="${CREATION}" ${a('Name', solutionName)} ${a('Description', description)} ActivationCode="" IsTransient="true">`,
    '\t\t\t<References>',
    `\t\t\t\t<Reference ${a('UID', moduleUid)} Kind="eSpace" ${a('Name', moduleName)} ${a('Description', description)}>`,
    '\t\t\t\t\t<LogicalDatabases />',
    '\t\t\t\t\t<DBCatalog LogicalName="" />',
    '\t\t\t\t</Reference>',
    '\t\t\t</References>',
    '\t\t\t<Applications>',
    `\t\t\t\t<Application ${a('UID', spec.uid)} ${a('Name', spec.name)} ${a('Description', description)} ${a('FrontOfficeEspaceKey', moduleUid)} ${a('FrontOfficeEspaceName', moduleName)} BackOfficeEspaceName="" ${a('TemplateKey', derivedUid(seed, 'template'))} PrimaryColor="#5d9cec" ${a('ContentHash', derivedGuid(seed, 'content'))} OriginEnvironmentCode="SYN.THE.TIC.AAA.BBB.CCC.DDD.EEE" ForgeBaseVersion="0.0" OutdatedReferences="false" ApplicationKind="WebResponsive">`,
    `\t\t\t\t\t<Icon>${iconBase64(seed, spec.iconBytes)}</Icon>`,
    '\t\t\t\t\t<Modules>',
    `\t\t\t\t\t\t<Module ${a('UID', moduleUid)} Kind="eSpace" ${a('Name', moduleName)}>`,
    '\t\t\t\t\t\t\t<API />',
    `\t\t\t\t\t\t\t<Signature>${createHash('sha256').update(`signature\0${seed}`).digest('base64')}</Signature>`,
    '\t\t\t\t\t\t</Module>',
    '\t\t\t\t\t</Modules>',
  ];
  const producers = spec.producers ?? [];
  if (producers.length === 0) {
    lines.push('\t\t\t\t\t<References />');
  } else {
    lines.push('\t\t\t\t\t<References>');
    for (const p of producers) {
      lines.push(
        `\t\t\t\t\t\t<ReferencedApplication ${a('Name', p.name)} ForgeBaseVersion="0.0" ApplicationKind="WebResponsive" HasLocalChanges="false" ${a('UID', p.uid)} ${a('APIHash', derivedGuid(p.uid, 'api'))} ${a('ContentHash', derivedGuid(p.uid, 'content'))}>`,
        '\t\t\t\t\t\t\t<ReferencedModules>',
        `\t\t\t\t\t\t\t\t<Module ${a('UID', derivedUid(p.uid, 'module'))} Kind="eSpace">`,
        '\t\t\t\t\t\t\t\t\t<ReferencedAPI>',
        `\t\t\t\t\t\t\t\t\t\t<PublicElement ${a('CompatibilitySignatureHash', derivedGuid(p.uid, 'compat'))} ${a('FullSignatureHash', derivedGuid(p.uid, 'full'))} Kind="Action" ${a('UID', derivedGuid(p.uid, 'element'))} Name="DoSomething" />`,
        '\t\t\t\t\t\t\t\t\t</ReferencedAPI>',
        '\t\t\t\t\t\t\t\t</Module>',
        '\t\t\t\t\t\t\t</ReferencedModules>',
        '\t\t\t\t\t\t</ReferencedApplication>',
      );
    }
    lines.push('\t\t\t\t\t</References>');
  }
  lines.push(
    '\t\t\t\t</Application>',
    '\t\t\t</Applications>',
    `\t\t\t<Version ${a('UID', derivedUid(seed, 'version'))} Creation="${CREATION}" ${a('Name', solutionName)} ${a('Description', description)}>`,
    '\t\t\t\t<References>',
    `\t\t\t\t\t<Reference ${a('UID', moduleUid)} Kind="eSpace" ${a('Name', moduleName)} MainReference="Yes" ${a('Filename', `${moduleName}.oml`)} InPack="Yes" ${a('Hash', derivedUid(seed, 'hash'))} ${a('Description', description)} Creation="${CREATION}" CreationBy="oapFactory">`,
    '\t\t\t\t\t\t<LogicalDatabases />',
    '\t\t\t\t\t\t<DBCatalog LogicalName="" />',
    '\t\t\t\t\t</Reference>',
    '\t\t\t\t</References>',
    '\t\t\t</Version>',
    '\t\t</Solution>',
    '\t</Solutions>',
    '</Pack>',
  );
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}

/** A 1 × 1 transparent PNG, or `bytes` of seeded noise standing in for a real icon's bytes. */
function iconBase64(seed: string, bytes: number | undefined): string {
  if (bytes === undefined) {
    return 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
  }
  const key = createHash('sha256').update(`oapFactory icon\0${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(bytes)).toString('base64');
}

/** Solution and module names as OutSystems writes them: letters, digits and '_'. */
function identifier(name: string): string {
  const id = name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return id === '' ? 'Module' : id;
}

function digest16(seed: string, label: string): Buffer {
  return createHash('sha256').update(`${label}\0${seed}`).digest().subarray(0, 16);
}

function derivedUid(seed: string, label: string): string {
  return bytesToUid(digest16(seed, label));
}

function derivedGuid(seed: string, label: string): string {
  const h = digest16(seed, label).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}
