import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as yauzl from 'yauzl';
import { readOapManifest } from '../../shared/oap/oapReader';
import { writeOap } from '../../tools/factories/oapFactory';
import { tempFolder } from './zipHelpers';

interface EntryInfo {
  name: string;
  method: number;
  size: number;
  head: Buffer;
}

async function entries(file: string): Promise<EntryInfo[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const out: EntryInfo[] = [];
  for await (const entry of zip.eachEntry()) {
    let head = Buffer.alloc(0);
    if (!entry.fileName.endsWith('/')) {
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer);
      }
      head = Buffer.concat(chunks).subarray(0, 16);
    }
    out.push({ name: entry.fileName, method: entry.compressionMethod, size: entry.uncompressedSize, head });
  }
  zip.close();
  return out;
}

describe('oapFactory.writeOap', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    folder = await tempFolder('oap-factory');
  });
  afterEach(async () => {
    await folder.cleanup();
  });

  it('lays the package out like a real export: Manifest.xml, solution folder, stored .oml', async () => {
    const file = join(folder.path, 'a.oap');
    await writeOap(file, { uid: 'AOWZdATUbkuOOjCLgthJkQ', name: 'CI/CD Probe', payloadBytes: 1000 });
    const list = await entries(file);
    assert.deepEqual(
      list.map((e) => e.name),
      ['Manifest.xml', 'CI_CD_Probe/', 'CI_CD_Probe/CICDProbe.oml'],
    );
    const [manifest, , oml] = list;
    assert.ok(manifest !== undefined && oml !== undefined);
    assert.equal(manifest.method, 8, 'Manifest.xml is deflated like the real ones');
    assert.deepEqual([...manifest.head.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(oml.method, 0, 'the payload is stored, since random bytes do not compress');
    assert.equal(oml.head.subarray(0, 4).toString('latin1'), 'OML\x03');
    assert.ok(oml.size > 1000);
  });

  it('writes CRLF lines and escapes names in Manifest.xml', async () => {
    const file = join(folder.path, 'b.oap');
    await writeOap(file, { uid: 'AOWZdATUbkuOOjCLgthJkQ', name: 'A & B <"x">' });
    const zip = await yauzl.openPromise(file, { lazyEntries: true });
    let text = '';
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName === 'Manifest.xml') {
        const chunks: Buffer[] = [];
        for await (const chunk of await zip.openReadStreamPromise(entry)) {
          chunks.push(chunk as Buffer);
        }
        text = Buffer.concat(chunks).toString('utf8');
      }
    }
    zip.close();
    assert.match(text, /Name="A &amp; B &lt;&quot;x&quot;&gt;"/);
    assert.equal(text.split('\r\n').length, text.split('\n').length, 'every line ends with CRLF');
    assert.match(text, /<Pack Schema="3"[^>]*IsApplicationPack="true"/);
  });

  it('gives identical bytes for the same spec and different bytes for another seed', async () => {
    const spec = { uid: 'MizbE9fSTkGtHDiCHlmn+g', name: 'Same', payloadBytes: 3 * 1024 * 1024 + 7 };
    const one = await writeOap(join(folder.path, '1.oap'), spec);
    const two = await writeOap(join(folder.path, '2.oap'), spec);
    const other = await writeOap(join(folder.path, '3.oap'), { ...spec, seed: 'another' });
    assert.deepEqual(one, two);
    assert.notEqual(other.sha256, one.sha256);
    const bytes = await readFile(join(folder.path, '1.oap'));
    assert.equal(one.size, bytes.length);
    assert.equal(one.sha256, createHash('sha256').update(bytes).digest('hex'));
  });

  it('streams a large payload with the reported size and a readable manifest', async () => {
    const file = join(folder.path, 'big.oap');
    const payloadBytes = 64 * 1024 * 1024;
    const result = await writeOap(file, {
      uid: 'MizbE9fSTkGtHDiCHlmn+g',
      name: 'Big',
      payloadBytes,
      producers: [{ uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' }],
    });
    assert.equal((await stat(file)).size, result.size);
    assert.ok(result.size > payloadBytes, 'stored, not compressed');
    const m = await readOapManifest(file);
    assert.equal(m.application.name, 'Big');
    assert.deepEqual(m.producers, [{ uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' }]);
  });

  it('carries an icon of real size in Manifest.xml when asked, as real packages do', async () => {
    const file = join(folder.path, 'icon.oap');
    await writeOap(file, { uid: 'MizbE9fSTkGtHDiCHlmn+g', name: 'Iconic', iconBytes: 90_000 });
    const manifest = (await entries(file)).find((e) => e.name === 'Manifest.xml');
    // 90,000 bytes are 120,000 in base64; the rest of the manifest is about 2 KB.
    assert.ok(manifest !== undefined && manifest.size > 120_000 && manifest.size < 125_000, String(manifest?.size));
    assert.equal((await readOapManifest(file)).application.name, 'Iconic');
  });
});
