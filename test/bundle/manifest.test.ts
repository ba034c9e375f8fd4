import { strict as assert } from 'node:assert';
import { BundleError } from '../../shared/bundle/errors';
import { BUNDLE_SCHEMA_VERSION, parseBundleManifest, serializeBundleManifest } from '../../shared/bundle/manifest';
import type { BundleManifest } from '../../shared/bundle/manifest';
import { keyOf, sampleApplication, sampleManifest } from './sampleBundle';

const WHERE = '/share/b1/airgap-manifest.json';

function twoApps(): BundleManifest {
  const core = sampleApplication('Core', { size: 10, sha256: 'a'.repeat(64) });
  const portal = sampleApplication('Portal', {
    size: 20,
    sha256: 'b'.repeat(64),
    producers: [{ key: core.key, name: 'Core' }],
    mobileVersions: [{ NativePlatform: 'Android', VersionNumber: '1.0' }],
  });
  return sampleManifest([core, portal]);
}

/** JSON of a manifest with one field replaced, as an attacker or a careless edit would. */
function edited(edit: (m: Record<string, unknown> & { applications: Record<string, unknown>[] }) => void): Buffer {
  const m = JSON.parse(serializeBundleManifest(twoApps()).toString('utf8')) as Record<string, unknown> & {
    applications: Record<string, unknown>[];
  };
  edit(m);
  return Buffer.from(JSON.stringify(m));
}

function at(m: { applications: Record<string, unknown>[] }, index: number): Record<string, unknown> {
  const application = m.applications[index];
  assert.ok(application !== undefined);
  return application;
}

function assertRefused(bytes: Buffer, problem: RegExp): void {
  assert.throws(
    () => parseBundleManifest(bytes, WHERE),
    (error: unknown) => {
      assert.ok(error instanceof BundleError, String(error));
      assert.ok(error.message.includes(WHERE), error.message);
      assert.match(error.message, problem);
      return true;
    },
  );
}

describe('bundle manifest', () => {
  it('serializes with 2-space indentation and a trailing newline', () => {
    const text = serializeBundleManifest(twoApps()).toString('utf8');
    assert.match(text, /^\{\n {2}"schemaVersion": 1,\n {2}"kind": "outsystems-airgap-bundle",/);
    assert.ok(text.endsWith('}\n'));
  });

  it('reads back exactly what was written', () => {
    const m = twoApps();
    assert.deepEqual(parseBundleManifest(serializeBundleManifest(m), WHERE), m);
  });

  it('tolerates a byte order mark and upper-case hex, normalizing it', () => {
    const m = twoApps();
    const first = m.applications[0];
    assert.ok(first !== undefined);
    first.sha256 = 'A'.repeat(64);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), serializeBundleManifest(m)]);
    assert.equal(parseBundleManifest(bytes, WHERE).applications[0]?.sha256, 'a'.repeat(64));
  });

  it('keeps only the fields it knows', () => {
    const parsed = parseBundleManifest(
      edited((m) => {
        m.extra = 'x';
        m.__proto__ = { polluted: true };
      }),
      WHERE,
    );
    assert.equal('extra' in parsed, false);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  describe('refuses', () => {
    const cases: [string, () => Buffer, RegExp][] = [
      ['text that is not JSON', () => Buffer.from('{"schemaVersion": 1,'), /is not valid JSON/],
      ['bytes that are not UTF-8', () => Buffer.from([0x7b, 0xff, 0x7d]), /not valid UTF-8/],
      ['a JSON list', () => Buffer.from('[]'), /field "the manifest" must be an object, got a list/],
      ['another kind of file', () => edited((m) => (m.kind = 'something-else')), /is not an air gap bundle manifest/],
      [
        'a newer schema version',
        () => edited((m) => (m.schemaVersion = BUNDLE_SCHEMA_VERSION + 1)),
        /written by a newer version of the extension \(bundle schema version 2; this version reads schema version 1\)/,
      ],
      ['schema version 0', () => edited((m) => (m.schemaVersion = 0)), /"schemaVersion" must be a positive integer/],
      [
        'a missing schema version',
        () => edited((m) => delete m.schemaVersion),
        /"schemaVersion" must be a positive integer, got nothing/,
      ],
      ['a bad date', () => edited((m) => (m.createdAt = 'yesterday')), /"createdAt" is not a date/],
      [
        'an unknown dependency source',
        () => edited((m) => (m.dependencySource = 'guess')),
        /"dependencySource" must be "packages" or "probe"/,
      ],
      [
        'no applications',
        () => edited((m) => ((m.applications = []), (m.deploymentOrder = []))),
        /lists no application/,
      ],
      [
        'a short sha256',
        () => edited((m) => (at(m, 1).sha256 = 'abc')),
        /"applications\[1\]\.sha256" of "Portal" must be 64 hexadecimal/,
      ],
      ['a non-hex sha256', () => edited((m) => (at(m, 0).sha256 = 'g'.repeat(64))), /applications\[0\]\.sha256/],
      [
        'a negative size',
        () => edited((m) => (at(m, 0).size = -1)),
        /"applications\[0\]\.size" of "Core" must be a non-negative integer/,
      ],
      ['a fractional size', () => edited((m) => (at(m, 0).size = 1.5)), /applications\[0\]\.size/],
      ['a size beyond safe integers', () => edited((m) => (at(m, 0).size = 2 ** 60)), /applications\[0\]\.size/],
      ['a size as text', () => edited((m) => (at(m, 0).size = '10')), /applications\[0\]\.size/],
      [
        'a missing name',
        () => edited((m) => delete at(m, 0).name),
        /"applications\[0\]\.name" must be text, got nothing/,
      ],
      ['an empty key', () => edited((m) => (at(m, 0).key = ' ')), /"applications\[0\]\.key" is empty/],
      [
        'isTestApplication as text',
        () => edited((m) => (at(m, 0).isTestApplication = 'no')),
        /isTestApplication" must be true or false/,
      ],
      [
        'a file climbing out',
        () => edited((m) => (at(m, 0).file = '../x.oap')),
        /"applications\[0\]\.file" of "Core" is "\.\.\/x\.oap", not a plain \.oap file name/,
      ],
      ['an absolute file', () => edited((m) => (at(m, 0).file = '/etc/x.oap')), /applications\[0\]\.file/],
      ['a Windows absolute file', () => edited((m) => (at(m, 0).file = 'C:\\x.oap')), /applications\[0\]\.file/],
      ['a file that is not a package', () => edited((m) => (at(m, 0).file = 'run.cmd')), /applications\[0\]\.file/],
      [
        'a repeated key',
        () => edited((m) => (at(m, 1).key = at(m, 0).key)),
        /"applications\[1\]\.key" repeats the key of applications\[0\]/,
      ],
      ['a repeated uid', () => edited((m) => (at(m, 1).uid = at(m, 0).uid)), /"applications\[1\]\.uid" repeats/],
      [
        'a file repeated in another case',
        () => edited((m) => (at(m, 1).file = String(at(m, 0).file).toUpperCase().replace('.OAP', '.oap'))),
        /"applications\[1\]\.file" repeats/,
      ],
      [
        'an unknown producer key',
        () => edited((m) => (at(m, 1).producers = [{ key: 'nope' }])),
        /"applications\[1\]\.producers\[0\]\.key" names application key "nope", which is not in this bundle/,
      ],
      [
        'an application producing itself',
        () => edited((m) => (at(m, 0).producers = [{ key: keyOf('Core') }])),
        /"Core" lists itself as its producer/,
      ],
      [
        'an unknown key in the order',
        () => edited((m) => (m.deploymentOrder = [keyOf('Core'), 'stranger'])),
        /"deploymentOrder\[1\]" names application key "stranger"/,
      ],
      [
        'a repeated key in the order',
        () => edited((m) => (m.deploymentOrder = [keyOf('Core'), keyOf('Core')])),
        /"deploymentOrder\[1\]" repeats/,
      ],
      [
        'an order leaving an application out',
        () => edited((m) => (m.deploymentOrder = [keyOf('Core')])),
        /"deploymentOrder" leaves out application "Portal"/,
      ],
      [
        'a pipeline field that is not text',
        () => edited((m) => (m.pipeline = { buildId: 42 })),
        /"pipeline\.buildId" must be text/,
      ],
      [
        'an external requirement without name',
        () => edited((m) => (m.externalRequirements = [{ requiredBy: [] }])),
        /"externalRequirements\[0\]\.name" must be text/,
      ],
      [
        'mobile versions that are not a list',
        () => edited((m) => (at(m, 1).mobileVersions = {})),
        /"applications\[1\]\.mobileVersions" must be a list/,
      ],
    ];
    for (const [what, bytes, problem] of cases) {
      it(what, () => {
        assertRefused(bytes(), problem);
      });
    }
  });
});
