import * as assert from 'node:assert/strict';
import { ManifestScopeError, parseManifestScope } from '../../shared/export/manifestScope';

const deployment = JSON.stringify([
  {
    ApplicationName: 'Customer Portal',
    ApplicationKey: 'k1',
    Version: '1.2.0',
    VersionKey: 'v1',
    IsModified: false,
    ChangeLog: 'portal',
  },
  {
    ApplicationName: 'Customer Core',
    ApplicationKey: 'k2',
    Version: '3.0.1',
    VersionKey: 'v2',
    IsModified: true,
    CreatedOn: '2026-11-01T10:00:00Z',
  },
]);

const trigger = JSON.stringify({
  ApplicationVersions: [
    {
      ApplicationKey: 'k1',
      ApplicationName: 'Customer Portal',
      VersionKey: 'v1',
      VersionNumber: '1.2.0',
      ChangeLog: 'portal',
      IsTestApplication: false,
    },
    {
      ApplicationKey: 'k3',
      ApplicationName: 'Portal Tests',
      VersionKey: 'v3',
      VersionNumber: '0.4',
      IsTestApplication: true,
    },
  ],
  EnvironmentDefinitions: [{ EnvironmentKey: 'e1', EnvironmentName: 'Acceptance', EnvironmentLabel: 'ACC' }],
  DeploymentNotes: 'release 42',
});

describe('manifest scope', () => {
  it('reads a deployment manifest (a JSON list) with its pinned versions', () => {
    const scope = parseManifestScope(deployment, 'deployment_manifest.cache', false);
    assert.equal(scope.format, 'deployment');
    assert.deepEqual(
      scope.versions.map((v) => [v.name, v.key, v.versionKey, v.version, v.changeLog, v.createdOn]),
      [
        ['Customer Portal', 'k1', 'v1', '1.2.0', 'portal', undefined],
        ['Customer Core', 'k2', 'v2', '3.0.1', undefined, '2026-11-01T10:00:00Z'],
      ],
    );
  });

  it('reads a trigger manifest, leaving test applications out unless asked', () => {
    const without = parseManifestScope(trigger, 'trigger.json', false);
    assert.equal(without.format, 'trigger');
    assert.deepEqual(
      without.versions.map((v) => v.name),
      ['Customer Portal'],
    );
    assert.deepEqual(without.skippedTestApplications, ['Portal Tests']);
    const withTests = parseManifestScope(trigger, 'trigger.json', true);
    assert.deepEqual(
      withTests.versions.map((v) => [v.name, v.isTestApplication]),
      [
        ['Customer Portal', false],
        ['Portal Tests', true],
      ],
    );
  });

  it('tolerates a byte order mark', () => {
    assert.equal(parseManifestScope('\uFEFF' + deployment, 'm.json', false).versions.length, 2);
  });

  for (const [why, content, message] of [
    ['not JSON', '{oops', /m\.json is not valid JSON/],
    ['a string', '"hello"', /neither a deployment manifest/],
    ['no list in the object', '{"Apps": []}', /has no ApplicationVersions list/],
    [
      'an entry without a version key',
      '[{"ApplicationName":"A","ApplicationKey":"k","Version":"1"}]',
      /entry 1 \("A"\) has no VersionKey/,
    ],
    [
      'an app listed twice',
      '[{"ApplicationName":"A","ApplicationKey":"k","Version":"1","VersionKey":"v"},{"ApplicationName":"A","ApplicationKey":"k","Version":"2","VersionKey":"w"}]',
      /lists application "A" \(k\) twice/,
    ],
    ['an empty list', '[]', /lists no applications/],
  ] as const) {
    it(`refuses ${why}, naming the file`, () => {
      assert.throws(
        () => parseManifestScope(content, 'm.json', false),
        (e: unknown) => e instanceof ManifestScopeError && message.test(e.message),
      );
    });
  }
});
