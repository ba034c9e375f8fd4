import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../../tools/paths';
import { readOapManifest } from '../../shared/oap/oapReader';
import { OapError } from '../../shared/oap/oapTypes';
import { writeOap } from '../../tools/factories/oapFactory';
import { tempFolder, writeZip } from './zipHelpers';

const FIXTURES = join(repoRoot, 'test', 'fixtures', 'oap');

function manifest(applications: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>\r\n<Pack Schema="3"><Solutions><Solution UID="s" Name="S"><Applications>${applications}</Applications></Solution></Solutions></Pack>\r\n`;
}

async function assertOapError(promise: Promise<unknown>, file: string, problem: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OapError, `expected OapError, got ${String(error)}`);
    assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
    assert.match(error.message, problem);
    return true;
  });
}

describe('readOapManifest', () => {
  let folder: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    folder = await tempFolder('oap-reader');
  });
  afterEach(async () => {
    await folder.cleanup();
  });

  describe('real packages', () => {
    it('reads Trigger Pipeline and its four producers', async () => {
      const m = await readOapManifest(join(FIXTURES, 'trigger-pipeline-o11.oap'));
      assert.deepEqual(m, {
        application: { uid: 'MizbE9fSTkGtHDiCHlmn+g', name: 'Trigger Pipeline', kind: 'WebResponsive' },
        producers: [
          { uid: '0jY4Ruqa_0KfWKHnjhY8EQ', name: 'Service Center' },
          { uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' },
          { uid: 'zAOYnXk1U02No0G+8vijCg', name: 'LifeTimeSDK' },
          { uid: 'oPC1o1GhRkub9hPS0rQTxQ', name: 'ardoHTTP' },
        ],
      });
    });

    it('reads CI/CD Probe and its two producers', async () => {
      const m = await readOapManifest(join(FIXTURES, 'cicd-probe-o11.oap'));
      assert.deepEqual(m, {
        application: { uid: 'AOWZdATUbkuOOjCLgthJkQ', name: 'CI/CD Probe', kind: 'WebResponsive' },
        producers: [
          { uid: '0jY4Ruqa_0KfWKHnjhY8EQ', name: 'Service Center' },
          { uid: '01dqwous8kaPcFmOZTg1Ng', name: 'OutDoc' },
        ],
      });
    });

    it('refuses a real package when its manifest is larger than the limit', async () => {
      await assertOapError(
        readOapManifest(join(FIXTURES, 'cicd-probe-o11.oap'), { maxManifestBytes: 1000 }),
        'cicd-probe-o11.oap',
        /Manifest\.xml declares 123653 bytes, more than the 1000 allowed/,
      );
    });
  });

  describe('synthetic packages', () => {
    it('reads what the factory wrote, XML-escaped names and BOM included', async () => {
      const file = join(folder.path, 'app.oap');
      const producers = [
        { uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' },
        { uid: 'AOWZdATUbkuOOjCLgthJkQ', name: 'Core <&> "Services" \'é\'' },
      ];
      await writeOap(file, { uid: 'MizbE9fSTkGtHDiCHlmn+g', name: 'Portal & <Co> "ü"', producers });
      const bytes = await readFile(file);
      assert.ok(bytes.length > 0);
      const m = await readOapManifest(file);
      assert.deepEqual(m.application, {
        uid: 'MizbE9fSTkGtHDiCHlmn+g',
        name: 'Portal & <Co> "ü"',
        kind: 'WebResponsive',
      });
      assert.deepEqual(m.producers, producers);
    });

    it('reads entities and character references, and takes a comment naming a DOCTYPE for no DTD', async () => {
      const file = join(folder.path, 'escaped.oap');
      const xml = manifest(
        '<!-- no <!DOCTYPE here --><Application UID="a" Name="R&amp;D &#x2013; &quot;Core&quot;"><References>' +
          '<ReferencedApplication UID="p" Name="P &lt;1&gt;"/></References></Application>',
      );
      await writeZip(file, [{ name: 'Manifest.xml', data: xml }]);
      assert.deepEqual(await readOapManifest(file), {
        application: { uid: 'a', name: 'R&D \u2013 "Core"' },
        producers: [{ uid: 'p', name: 'P <1>' }],
      });
    });

    it("takes producers only from the application's own References", async () => {
      const file = join(folder.path, 'elsewhere.oap');
      const xml = manifest(
        '<Application UID="a" Name="A"><References><ReferencedApplication UID="p" Name="P"/></References>' +
          '<Other><References><ReferencedApplication UID="q" Name="Q"/></References></Other></Application>',
      );
      await writeZip(file, [{ name: 'Manifest.xml', data: xml }]);
      assert.deepEqual((await readOapManifest(file)).producers, [{ uid: 'p', name: 'P' }]);
    });

    it('reads an application without producers', async () => {
      const file = join(folder.path, 'lonely.oap');
      await writeOap(file, { uid: 'AOWZdATUbkuOOjCLgthJkQ', name: 'Lonely' });
      assert.deepEqual((await readOapManifest(file)).producers, []);
    });

    it('drops repeated producers and the application referencing itself', async () => {
      const file = join(folder.path, 'dup.oap');
      await writeOap(file, {
        uid: 'MizbE9fSTkGtHDiCHlmn+g',
        name: 'Dup',
        producers: [
          { uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' },
          { uid: 'MizbE9fSTkGtHDiCHlmn+g', name: 'Dup' },
          { uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' },
        ],
      });
      assert.deepEqual((await readOapManifest(file)).producers, [
        { uid: 'TZGvlRpo3EqyvfVG3iPkEQ', name: 'System Components' },
      ]);
    });
  });

  describe('untrusted input', () => {
    it('names a missing file', async () => {
      await assertOapError(readOapManifest(join(folder.path, 'gone.oap')), 'gone.oap', /does not exist/);
    });

    it('refuses a file that is not a zip', async () => {
      const file = join(folder.path, 'text.oap');
      await writeFile(file, 'this is not a zip archive at all, just some words in a file');
      await assertOapError(readOapManifest(file), 'text.oap', /is not a zip archive/);
    });

    it('refuses a zip cut short', async () => {
      const whole = await readFile(join(FIXTURES, 'cicd-probe-o11.oap'));
      const file = join(folder.path, 'cut.oap');
      await writeFile(file, whole.subarray(0, whole.length - 100));
      await assertOapError(readOapManifest(file), 'cut.oap', /is not a zip archive/);
    });

    it('refuses a zip without Manifest.xml at its root', async () => {
      const file = join(folder.path, 'nomanifest.oap');
      await writeZip(file, [{ name: 'Sub/Manifest.xml', data: manifest('<Application UID="u" Name="n"/>') }]);
      await assertOapError(readOapManifest(file), 'nomanifest.oap', /has no Manifest\.xml at its root/);
    });

    it('refuses two root manifests', async () => {
      const file = join(folder.path, 'two.oap');
      const xml = manifest('<Application UID="u" Name="n"/>');
      await writeZip(file, [
        { name: 'Manifest.xml', data: xml },
        { name: 'Manifest.xml', data: xml },
      ]);
      await assertOapError(readOapManifest(file), 'two.oap', /more than one Manifest\.xml/);
    });

    const broken: [string, string, RegExp][] = [
      ['malformed.oap', '<Pack><Solutions></Pack>', /not well-formed XML/],
      ['truncated.oap', manifest('<Application UID="u" Name="n"/>').slice(0, 80), /not well-formed XML/],
      ['nopack.oap', '<Other/>', /no <Pack> root element/],
      ['empty.oap', '', /not well-formed XML \(line 1, column 0: document must contain a root element\)/],
      [
        'entity.oap',
        manifest('<Application UID="a" Name="&nbsp;"/>'),
        /not well-formed XML \(line 2, column \d+: undefined entity\)/,
      ],
      [
        'twouids.oap',
        manifest('<Application UID="a" UID="b" Name="A"/>'),
        /not well-formed XML \(line 2, column \d+: duplicate attribute: UID\)/,
      ],
      ['noapp.oap', manifest(''), /describes no application/],
      [
        'twoapps.oap',
        manifest('<Application UID="a" Name="A"/><Application UID="b" Name="B"/>'),
        /describes 2 applications/,
      ],
      ['nouid.oap', manifest('<Application Name="A"/>'), /Application has no UID/],
      ['noname.oap', manifest('<Application UID="a" Name=" "/>'), /Application has no Name/],
      [
        'producernouid.oap',
        manifest(
          '<Application UID="a" Name="A"><References><ReferencedApplication Name="P"/></References></Application>',
        ),
        /ReferencedApplication #1 of "A" has no UID/,
      ],
      [
        'doctype.oap',
        '<?xml version="1.0"?><!DOCTYPE Pack [<!ENTITY x "xxxxxxxx">]><Pack>&x;</Pack>',
        /declares a DOCTYPE/,
      ],
    ];
    for (const [name, xml, problem] of broken) {
      it(`refuses ${name}: ${problem.source}`, async () => {
        const file = join(folder.path, name);
        await writeZip(file, [{ name: 'Manifest.xml', data: xml }]);
        await assertOapError(readOapManifest(file), name, problem);
      });
    }

    it('refuses a manifest that is not UTF-8', async () => {
      const file = join(folder.path, 'latin1.oap');
      await writeZip(file, [{ name: 'Manifest.xml', data: Buffer.from([0x3c, 0x50, 0xff, 0xfe, 0x3e]) }]);
      await assertOapError(readOapManifest(file), 'latin1.oap', /not valid UTF-8/);
    });

    it('stops inflating a manifest whose header understates its size', async () => {
      const file = join(folder.path, 'bomb.oap');
      await writeZip(file, [{ name: 'Manifest.xml', data: Buffer.alloc(4 * 1024 * 1024, 0x20) }]);
      const bytes = await readFile(file);
      // Claim 100 bytes in both headers: only counting what actually inflates catches the lie.
      patchUncompressedSize(bytes, 0x04034b50, 22, 100);
      patchUncompressedSize(bytes, 0x02014b50, 24, 100);
      await writeFile(file, bytes);
      await assertOapError(
        readOapManifest(file, { maxManifestBytes: 1000 }),
        'bomb.oap',
        /Manifest\.xml cannot be read \(too many bytes/,
      );
    });

    it('refuses a highly compressed manifest over the limit before reading it', async () => {
      const file = join(folder.path, 'big.oap');
      await writeZip(file, [{ name: 'Manifest.xml', data: Buffer.alloc(2 * 1024 * 1024, 0x20) }]);
      await assertOapError(
        readOapManifest(file, { maxManifestBytes: 1024 * 1024 }),
        'big.oap',
        /declares 2097152 bytes, more than the 1048576 allowed/,
      );
    });
  });
});

function patchUncompressedSize(zip: Buffer, signature: number, offset: number, size: number): void {
  for (let i = 0; i + 4 <= zip.length; i++) {
    if (zip.readUInt32LE(i) === signature) {
      zip.writeUInt32LE(size, i + offset);
      return;
    }
  }
  throw new Error(`signature ${signature.toString(16)} not found`);
}
