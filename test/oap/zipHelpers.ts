// Hand-made zips for tests of damaged or hostile packages.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export async function writeZip(filePath: string, entries: { name: string; data: Buffer | string }[]): Promise<void> {
  const zip = new ZipFile();
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    zip.addBuffer(data, entry.name, { compress: true });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(filePath));
}

/** A temporary folder for one test, removed by the returned cleanup. */
export async function tempFolder(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
