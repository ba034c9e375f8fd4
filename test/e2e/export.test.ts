import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBundleManifest } from '../../shared/bundle/manifest';
import type { BundleManifest } from '../../shared/bundle/manifest';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import {
  PUBLIC_KEY_PEM,
  SIGNING_KEY_PEM,
  exportWorld,
  type ExportWorld,
  writeDeploymentManifest,
} from '../support/exportWorld';
import { failureOf, succeeded } from '../support/taskResults';
import { eachTest } from '../support/eachTest';

function manifestOf(bundle: string): BundleManifest {
  return parseBundleManifest(fs.readFileSync(path.join(bundle, 'airgap-manifest.json')), bundle);
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('OutSystemsAirGapExport (bundled task against the LifeTime emulator)', function () {
  this.timeout(120_000);
  let world: ExportWorld;
  eachTest(exportWorld, (w) => (world = w));

  it('exports a name list given consumer first into a producer-first bundle with identical bytes', async () => {
    const run = await world.run({ applications: 'Backoffice, Customer Portal\nCustomer Core\nCustomer Core' });
    succeeded(run);
    const bundle = path.join(world.share, 'release-42');
    assert.equal(run.outputVariables.bundlePath, bundle);
    assert.equal(run.outputVariables.applicationCount, '3');
    const manifest = manifestOf(bundle);
    const names = (keys: string[]) => keys.map((k) => manifest.applications.find((a) => a.key === k)?.name);
    assert.deepEqual(names(manifest.deploymentOrder), ['Customer Core', 'Customer Portal', 'Backoffice']);
    assert.equal(manifest.source.environment.name, 'Acceptance');
    assert.equal(manifest.source.lifeTimeUrl, world.emulator.url);
    assert.equal(manifest.pipeline.buildNumber, '20261128.1');
    for (const app of manifest.applications) {
      const file = path.join(bundle, app.file);
      const original = world.emulator.packagePath(app.name, app.version);
      assert.ok(fs.readFileSync(file).equals(fs.readFileSync(original)), `${app.name} bytes identical`);
      assert.equal(app.sha256, sha256(original));
      assert.equal(app.size, fs.statSync(original).size);
      assert.equal(app.key, world.emulator.application(app.name)?.key);
    }
    const portal = manifest.applications.find((a) => a.name === 'Customer Portal');
    assert.ok(portal);
    assert.deepEqual(
      portal.producers.map((p) => p.key),
      [world.emulator.application('Customer Core')?.key],
    );
    assert.equal(portal.changeLog, 'Self-service address change.');
    const external = manifest.externalRequirements.map((r) => r.name).sort();
    assert.deepEqual(external, ['Service Center', 'System Components']);
    assert.ok(run.stdout.includes('##[group]Customer Portal 2.3.0'), 'a group per application');
    assert.ok(run.progress.length > 0, 'progress reported while downloading');
    assert.equal(run.summaries.length, 1);
    assert.match(run.summaries[0]?.content ?? '', /\| 1 \| Customer Core \| 1\.1\.0 \|/);
    assert.deepEqual(
      world.shareListing().filter((f) => f.startsWith('.')),
      [],
      'no temporary folder left',
    );
    // 2 + 3N: environments, applications, then per application its version, link and download.
    const apiCalls = world.emulator.requests.filter((r) => r.path.startsWith('/lifetimeapi/'));
    assert.ok(apiCalls.length <= 2 + 3 * 3, `${apiCalls.length} requests`);
  });

  it('warns, and exports the tag, when the running code differs from it', async () => {
    const modified = await exportWorld([
      {
        name: 'Hotfixed App',
        versions: [{ version: '5.0' }],
        running: { Acceptance: { version: '5.0', modified: true } },
      },
    ]);
    try {
      const run = await modified.run({ applications: 'Hotfixed App' });
      assert.equal(run.result?.status, 'SucceededWithIssues');
      assert.ok(run.warnings.some((w) => w.includes('"Hotfixed App"') && w.includes('differs from its tag 5.0')));
      assert.equal(manifestOf(path.join(modified.share, 'release-42')).applications[0]?.version, '5.0');
    } finally {
      await modified.close();
    }
  });

  it('exports exactly the versions a deployment manifest pins', async () => {
    const core = world.emulator.application('Customer Core');
    const oldCore = world.emulator.versions('Customer Core').find((v) => v.Version === '1.0.0');
    const portal = world.emulator.versions('Customer Portal')[0];
    assert.ok(core && oldCore && portal);
    const file = writeDeploymentManifest(world, 'deployment_manifest.cache', [
      {
        ApplicationName: 'Customer Portal',
        ApplicationKey: portal.ApplicationKey,
        Version: '2.3.0',
        VersionKey: portal.Key,
        IsModified: false,
      },
      {
        ApplicationName: 'Customer Core',
        ApplicationKey: core.key,
        Version: '1.0.0',
        VersionKey: oldCore.Key,
        IsModified: false,
      },
    ]);
    const run = await world.run({ manifestFile: file });
    succeeded(run);
    const manifest = manifestOf(path.join(world.share, 'release-42'));
    assert.deepEqual(
      manifest.applications.map((a) => [a.name, a.version, a.versionKey]),
      [
        ['Customer Portal', '2.3.0', portal.Key],
        ['Customer Core', '1.0.0', oldCore.Key],
      ],
    );
    assert.deepEqual(manifest.deploymentOrder, [core.key, portal.ApplicationKey]);
  });

  for (const includeTests of [false, true]) {
    it(`exports a trigger manifest ${includeTests ? 'with' : 'without'} its test applications`, async () => {
      const app = (name: string, isTest: boolean) => {
        const v = world.emulator.versions(name).at(-1);
        assert.ok(v);
        return {
          ApplicationKey: v.ApplicationKey,
          ApplicationName: name,
          VersionKey: v.Key,
          VersionNumber: v.Version,
          IsTestApplication: isTest,
        };
      };
      const file = path.join(world.share, '..', 'trigger_manifest.json');
      fs.writeFileSync(
        file,
        JSON.stringify({
          ApplicationVersions: [app('Reporting', false), app('Backoffice', true)],
          EnvironmentDefinitions: [],
        }),
      );
      const run = await world.run({ manifestFile: file, includeTestApplications: String(includeTests) });
      succeeded(run);
      const manifest = manifestOf(path.join(world.share, 'release-42'));
      assert.deepEqual(
        manifest.applications.map((a) => [a.name, a.isTestApplication]),
        includeTests
          ? [
              ['Reporting', false],
              ['Backoffice', true],
            ]
          : [['Reporting', false]],
      );
    });
  }

  describe('refusals that leave the share unchanged', () => {
    const cases: {
      why: string;
      inputs: Record<string, string>;
      token?: string;
      fault?: () => void;
      message: RegExp;
    }[] = [
      {
        why: 'an unknown application',
        inputs: { applications: 'Customer Portal, Payroll' },
        message: /application "Payroll" not found/,
      },
      {
        why: 'an unknown environment',
        inputs: { applications: 'Reporting', sourceEnvironment: 'Staging' },
        message: /Staging.*(Development|Acceptance)/,
      },
      {
        why: 'an application not running there',
        inputs: { applications: 'Backoffice', sourceEnvironment: 'Development' },
        message: /"Backoffice" is not running in environment "Development"/,
      },
      {
        why: 'a bad token',
        inputs: { applications: 'Reporting' },
        token: 'not-the-token-123456',
        message: /401|token/i,
      },
      {
        why: 'both applications and a manifest',
        inputs: { applications: 'Reporting', manifestFile: __filename },
        message: /either 'applications' or 'manifestFile'/,
      },
      { why: 'neither applications nor a manifest', inputs: {}, message: /Give the applications to export/ },
    ];
    for (const c of cases) {
      it(`fails on ${c.why}, naming it`, async () => {
        const before = world.shareListing();
        const run = await world.run(c.inputs, c.token !== undefined ? { token: c.token } : {});
        assert.match(failureOf(run), c.message);
        assert.deepEqual(world.shareListing(), before);
      });
    }

    it('fails on an application that was never tagged, naming it', async () => {
      const untagged = await exportWorld([
        { name: 'Fresh App', versions: [], running: { Acceptance: { version: null } } },
      ]);
      try {
        const run = await untagged.run({ applications: 'Fresh App' });
        assert.match(failureOf(run), /"Fresh App" runs in "Acceptance" but was never tagged/);
        assert.deepEqual(untagged.shareListing(), []);
      } finally {
        await untagged.close();
      }
    });

    it('fails on a version without a binary (204), naming it', async () => {
      const nobinary = await exportWorld([
        {
          name: 'Native Shell',
          versions: [{ version: '1.0', noBinary: true }],
          running: { Acceptance: { version: '1.0' } },
        },
      ]);
      try {
        const run = await nobinary.run({ applications: 'Native Shell' });
        assert.match(failureOf(run), /Native Shell/);
        assert.match(failureOf(run), /no binary|204/i);
        assert.deepEqual(nobinary.shareListing(), []);
      } finally {
        await nobinary.close();
      }
    });

    it('fails on a 403 for a package, naming the application, and removes the partial bundle', async () => {
      world.emulator.injectFault({ path: /\/content\/?$/, kind: 'status', status: 403, times: 10 });
      const run = await world.run({ applications: 'Reporting' });
      assert.match(failureOf(run), /Reporting/);
      assert.match(failureOf(run), /403|permission/i);
      assert.deepEqual(world.shareListing(), []);
    });
  });

  it('recovers from 503s, a reset and a truncated body mid-download with identical bytes', async () => {
    world.emulator.injectFault({ path: /\/content\/?$/, kind: 'status', status: 503, times: 2 });
    world.emulator.injectFault({ path: '/downloads/', kind: 'reset-mid-body' });
    world.emulator.injectFault({ path: '/downloads/', kind: 'truncate-body' });
    const run = await world.run({ applications: 'Customer Core' });
    succeeded(run);
    const manifest = manifestOf(path.join(world.share, 'release-42'));
    const app = manifest.applications[0];
    assert.ok(app);
    assert.equal(app.sha256, sha256(world.emulator.packagePath('Customer Core', '1.1.0')));
    assert.ok(world.emulator.requests.filter((r) => r.faulted !== undefined).length >= 4);
  });

  it('asks for a new link when a download link has expired', async () => {
    world.emulator.injectFault({ path: '/downloads/', kind: 'expired-link' });
    const run = await world.run({ applications: 'Reporting' });
    succeeded(run);
    const links = world.emulator.requests.filter((r) => /\/content\/?$/.test(r.path));
    assert.equal(links.length, 2, 'the content endpoint was asked twice');
  });

  it('refuses an existing bundle and leaves it untouched', async () => {
    const existing = path.join(world.share, 'release-42');
    fs.mkdirSync(existing);
    fs.writeFileSync(path.join(existing, 'airgap-manifest.json'), 'earlier bundle');
    const run = await world.run({ applications: 'Reporting' });
    assert.match(failureOf(run), /release-42 already exists/);
    // The listing gives each file's size: 14 bytes, 'earlier bundle'.
    assert.deepEqual(world.shareListing(), ['release-42/', 'release-42/airgap-manifest.json 14']);
    assert.equal(fs.readFileSync(path.join(existing, 'airgap-manifest.json'), 'utf8'), 'earlier bundle');
  });

  it('leaves no bundle folder when killed mid-download', async () => {
    world.emulator.setLatency(300);
    const started = world.start({
      applications: 'Customer Core, Customer Portal, Backoffice, Reporting',
      downloadParallelism: '1',
    });
    const deadline = Date.now() + 30_000;
    while (!world.shareListing().some((f) => f.startsWith('.release-42.partial')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    started.child.kill('SIGTERM');
    const run = await started.done;
    assert.notEqual(run.result?.status, 'Succeeded');
    assert.ok(!fs.existsSync(path.join(world.share, 'release-42')), 'no bundle folder');
    assert.deepEqual(world.shareListing(), [], 'the temporary folder was removed too');
  });

  describe('signing', () => {
    it('signs the exact manifest bytes so node:crypto and openssl verify them, and another key does not', async () => {
      const run = await world.run({ applications: 'Reporting', signingKey: SIGNING_KEY_PEM });
      succeeded(run);
      assert.match(run.stdout, /SHA256:[A-Za-z0-9+/]{43}/);
      const bundle = path.join(world.share, 'release-42');
      const bytes = fs.readFileSync(path.join(bundle, 'airgap-manifest.json'));
      const signature = fs.readFileSync(path.join(bundle, 'airgap-manifest.json.sig'));
      assert.equal(signature.length, 64);
      assert.ok(crypto.verify(null, bytes, crypto.createPublicKey(PUBLIC_KEY_PEM), signature));
      const other = crypto.generateKeyPairSync('ed25519').publicKey;
      assert.ok(!crypto.verify(null, bytes, other, signature));
      const keys = makeTempDir();
      try {
        fs.writeFileSync(path.join(keys, 'public.pem'), PUBLIC_KEY_PEM);
        const out = execFileSync('openssl', [
          'pkeyutl',
          '-verify',
          '-pubin',
          '-inkey',
          path.join(keys, 'public.pem'),
          '-rawin',
          '-in',
          path.join(bundle, 'airgap-manifest.json'),
          '-sigfile',
          path.join(bundle, 'airgap-manifest.json.sig'),
        ]).toString();
        assert.match(out, /Signature Verified Successfully/);
      } finally {
        removeTempDir(keys);
      }
    });

    it('takes the signing key as the path of a PEM file', async () => {
      const keys = makeTempDir({ withSpaces: true });
      try {
        const keyFile = path.join(keys, 'signing key.pem');
        fs.writeFileSync(keyFile, SIGNING_KEY_PEM);
        const run = await world.run({ applications: 'Reporting', signingKey: keyFile });
        succeeded(run);
        const bundle = path.join(world.share, 'release-42');
        const ok = crypto.verify(
          null,
          fs.readFileSync(path.join(bundle, 'airgap-manifest.json')),
          crypto.createPublicKey(PUBLIC_KEY_PEM),
          fs.readFileSync(path.join(bundle, 'airgap-manifest.json.sig')),
        );
        assert.ok(ok);
      } finally {
        removeTempDir(keys);
      }
    });
  });

  it('gives safe, unique friendly file names for awkward application names', async () => {
    const odd = await exportWorld([
      { name: 'Cliente Pré/Pago', versions: [{ version: '1.2.3' }], running: { Acceptance: { version: '1.2.3' } } },
      { name: 'Cliente Pre.Pago', versions: [{ version: '1.2.3' }], running: { Acceptance: { version: '1.2.3' } } },
      { name: '..', versions: [{ version: '1' }], running: { Acceptance: { version: '1' } } },
      { name: 'Große Übersicht', versions: [{ version: '2.0' }], running: { Acceptance: { version: '2.0' } } },
    ]);
    try {
      const run = await odd.run({
        applications: 'Cliente Pré/Pago\nCliente Pre.Pago\n..\nGroße Übersicht',
        friendlyPackageNames: 'true',
      });
      succeeded(run);
      const bundle = path.join(odd.share, 'release-42');
      const files = manifestOf(bundle).applications.map((a) => a.file);
      assert.equal(new Set(files.map((f) => f.toLowerCase())).size, 4, files.join(', '));
      for (const f of files) {
        assert.match(f, /^[A-Za-z0-9_-]+\.oap$/, f);
        assert.ok(fs.existsSync(path.join(bundle, f)));
      }
      assert.ok(files.includes('Cliente_Pre_Pago_v1_2_3.oap'), files.join(', '));
    } finally {
      await odd.close();
    }
  });
});

describe('OutSystemsAirGapExport with the CI/CD Probe as dependency source', function () {
  this.timeout(120_000);
  const PROBE_KEY = 'probe-key-5e1d9a7c3b';
  let world: ExportWorld;
  eachTest(
    () => exportWorld([], { probeKey: PROBE_KEY }),
    (w) => (world = w),
  );

  it('orders by what the Probe answers, sending its key, and names producers outside the bundle', async () => {
    const run = await world.run({
      applications: 'Backoffice, Customer Portal, Customer Core',
      dependencySource: 'probe',
      probeUrl: world.emulator.url,
      probeKey: PROBE_KEY,
    });
    succeeded(run);
    const manifest = manifestOf(path.join(world.share, 'release-42'));
    assert.equal(manifest.dependencySource, 'probe');
    const names = manifest.deploymentOrder.map((k) => manifest.applications.find((a) => a.key === k)?.name);
    assert.deepEqual(names, ['Customer Core', 'Customer Portal', 'Backoffice']);
    assert.deepEqual(manifest.externalRequirements.map((r) => r.name).sort(), ['Service Center', 'System Components']);
    assert.ok(world.emulator.requests.some((r) => r.path.includes('GetApplicationDependencies')));
  });

  it('fails naming the Probe when its key is refused, and leaves the share unchanged', async () => {
    const run = await world.run({
      applications: 'Customer Portal',
      dependencySource: 'probe',
      probeUrl: world.emulator.url,
      probeKey: 'wrong-probe-key-123',
    });
    assert.match(failureOf(run), /Probe/);
    assert.deepEqual(world.shareListing(), []);
  });

  it('requires a probe URL when the dependency source is the Probe', async () => {
    const run = await world.run({ applications: 'Customer Portal', dependencySource: 'probe' });
    assert.match(failureOf(run), /'probeUrl' is required/);
  });
});
