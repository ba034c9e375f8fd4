import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PRE_HOSTNAME } from '../../tools/factories/estate';
import { makeBundle, readManifest, writeManifest } from '../../tools/factories/bundleFactory';
import type { BundleAppSpec } from '../../tools/factories/bundleFactory';
import { AIRGAP_PASSWORD, AIRGAP_USER, deployWorld, type DeployWorld } from '../support/deployWorld';
import { failureOf, succeeded } from '../support/taskResults';
import { eachTest } from '../support/eachTest';

const KEYS = crypto.generateKeyPairSync('ed25519');
const PUBLIC_PEM = KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString();

const CHAIN: BundleAppSpec[] = [
  { name: 'Backoffice', producers: ['Customer Portal'] },
  { name: 'Customer Portal', producers: ['Customer Core', 'System Components'] },
  { name: 'Customer Core' },
];

function appsOf(files: string[]): string[] {
  return files.map((f) => f.replace(/_v\d.*$/, ''));
}

describe('OutSystemsAirGapDeploy (bundled task, OSPTool stand-in)', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  eachTest(deployWorld, (w) => (world = w));

  describe('order', () => {
    const cases: { why: string; apps: BundleAppSpec[]; order: string[]; recordProducers?: boolean }[] = [
      { why: 'a chain given consumer first', apps: CHAIN, order: ['Customer_Core', 'Customer_Portal', 'Backoffice'] },
      {
        why: 'a diamond',
        apps: [
          { name: 'Top', producers: ['Left', 'Right'] },
          { name: 'Left', producers: ['Base'] },
          { name: 'Right', producers: ['Base'] },
          { name: 'Base' },
        ],
        order: ['Base', 'Left', 'Right', 'Top'],
      },
      {
        why: 'independent applications (manifest order kept)',
        apps: [{ name: 'Zeta' }, { name: 'Alpha' }, { name: 'Mid' }],
        order: ['Zeta', 'Alpha', 'Mid'],
      },
      {
        why: 'dependencies known only from the packages themselves',
        apps: CHAIN,
        order: ['Customer_Core', 'Customer_Portal', 'Backoffice'],
        recordProducers: false,
      },
      {
        why: 'the two real packages',
        apps: [
          { name: 'Trigger Pipeline', realFixture: 'trigger-pipeline-o11.oap', version: '2.1.0' },
          { name: 'CI CD Probe', realFixture: 'cicd-probe-o11.oap', version: '1.3.0' },
        ],
        order: ['Trigger_Pipeline', 'CI_CD_Probe'],
      },
    ];
    for (const c of cases) {
      it(`publishes producers first for ${c.why}, the same way twice`, async () => {
        const orders: string[][] = [];
        for (const attempt of [1, 2]) {
          const bundle = await makeBundle(path.join(world.share, `bundle ${attempt}`), c.apps, {
            recordProducers: c.recordProducers ?? true,
          });
          const before = world.calls().length;
          const run = await world.run(bundle);
          succeeded(run);
          orders.push(appsOf(world.publishedFiles().slice(before)));
          assert.equal(run.outputVariables.deployedCount, String(c.apps.length));
        }
        assert.deepEqual(orders[0], c.order);
        assert.deepEqual(orders[1], c.order);
      });
    }

    it('fails on a dependency cycle, naming its applications, before publishing anything', async () => {
      const bundle = await makeBundle(path.join(world.share, 'cycle'), [
        { name: 'Alpha', producers: ['Beta'] },
        { name: 'Beta', producers: ['Gamma'] },
        { name: 'Gamma', producers: ['Alpha'] },
        { name: 'Free' },
      ]);
      const run = await world.run(bundle);
      const message = failureOf(run);
      for (const name of ['Alpha', 'Beta', 'Gamma']) assert.ok(message.includes(`"${name}"`), message);
      assert.equal(world.calls().length, 0);
    });
  });

  it('calls OSPTool exactly as the contract says, with catalog mappings, and never prints the password', async () => {
    const bundle = await makeBundle(path.join(world.share, 'release 42'), CHAIN);
    const mappings = path.join(world.root, 'catalog mappings.xml');
    fs.writeFileSync(mappings, '<CatalogMappings/>');
    const run = await world.run(bundle, { catalogMappings: mappings }, { variables: { 'System.Debug': 'true' } });
    succeeded(run);
    const calls = world.calls();
    assert.equal(calls.length, 3);
    for (const argv of calls) {
      assert.equal(argv.length, 7);
      assert.equal(argv[0], '/Publish');
      // A private local copy of the verified bytes, removed once published.
      assert.ok(path.isAbsolute(argv[1] ?? ''), argv[1]);
      assert.match(path.basename(argv[1] ?? ''), /_v1_0_0\.oap$/);
      assert.ok(!(argv[1] ?? '').startsWith(bundle), 'not the file on the share');
      assert.ok(!fs.existsSync(argv[1] ?? ''), 'the local copy was removed');
      assert.deepEqual(argv.slice(2), [PRE_HOSTNAME, AIRGAP_USER, AIRGAP_PASSWORD, '/catalogmappings', mappings]);
    }
    assert.ok(run.secrets.includes(AIRGAP_PASSWORD), 'the password is registered as a secret');
    assert.match(run.stdout, /##\[group\]Publish Customer Core 1\.0\.0/);
    assert.match(run.stdout, /Solution published successfully|published/i);
    assert.equal(run.outputVariables.deploymentOrder, 'Customer Core,Customer Portal,Backoffice');
    assert.match(run.summaries[0]?.content ?? '', /\| 1 \| Customer Core \| 1\.0\.0 \| published \|/);
    const core = world.production.running('Pre-Production', 'Customer Core');
    assert.ok(core?.modified, 'the production LifeTime now shows the app running, modified');
  });

  describe('refuses a bundle that does not check out, before any OSPTool call', () => {
    const tampers: { why: string; tamper: (bundle: string) => void; message: RegExp; withKey?: boolean }[] = [
      {
        why: 'a flipped byte',
        tamper: (b) => {
          const f = path.join(b, 'Customer_Core_v1_0_0.oap');
          const bytes = fs.readFileSync(f);
          bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
          fs.writeFileSync(f, bytes);
        },
        message: /Customer_Core_v1_0_0\.oap.*sha256|sha256.*Customer_Core_v1_0_0\.oap/,
      },
      {
        why: 'a truncated package',
        tamper: (b) => fs.truncateSync(path.join(b, 'Backoffice_v1_0_0.oap'), 100),
        message: /Backoffice_v1_0_0\.oap/,
      },
      {
        why: 'appended bytes',
        tamper: (b) => fs.appendFileSync(path.join(b, 'Customer_Portal_v1_0_0.oap'), 'extra'),
        message: /Customer_Portal_v1_0_0\.oap/,
      },
      {
        why: 'a missing package',
        tamper: (b) => fs.rmSync(path.join(b, 'Backoffice_v1_0_0.oap')),
        message: /Backoffice_v1_0_0\.oap/,
      },
      {
        why: 'an unlisted package',
        tamper: (b) => fs.copyFileSync(path.join(b, 'Backoffice_v1_0_0.oap'), path.join(b, 'Smuggled.oap')),
        message: /Smuggled\.oap/,
      },
      {
        why: 'a missing manifest (a partial bundle)',
        tamper: (b) => fs.rmSync(path.join(b, 'airgap-manifest.json')),
        message: /airgap-manifest\.json/,
      },
      {
        why: 'a manifest that does not parse',
        tamper: (b) => fs.writeFileSync(path.join(b, 'airgap-manifest.json'), '{"schemaVersion": 1,'),
        message: /airgap-manifest\.json|manifest/,
      },
      {
        why: 'an unknown schema version',
        tamper: (b) => {
          const m = readManifest(b) as unknown as Record<string, unknown>;
          m.schemaVersion = 99;
          fs.writeFileSync(path.join(b, 'airgap-manifest.json'), JSON.stringify(m));
        },
        message: /schema|99/i,
      },
      {
        why: 'a file name that climbs out of the bundle',
        tamper: (b) => {
          const m = readManifest(b);
          const first = m.applications[0];
          if (first) first.file = '../outside.oap';
          writeManifest(b, m);
        },
        message: /outside\.oap/,
      },
      {
        why: 'an absolute file name',
        tamper: (b) => {
          const m = readManifest(b);
          const first = m.applications[0];
          if (first) first.file = path.join(b, first.file);
          writeManifest(b, m);
        },
        message: /file/i,
      },
      {
        why: 'an edited manifest field (the signature no longer matches)',
        tamper: (b) => {
          const text = fs.readFileSync(path.join(b, 'airgap-manifest.json'), 'utf8').replace('"1.0.0"', '"9.9.9"');
          fs.writeFileSync(path.join(b, 'airgap-manifest.json'), text);
        },
        message: /signature/i,
        withKey: true,
      },
      {
        why: 'a signature from another key',
        tamper: (b) => {
          const other = crypto.generateKeyPairSync('ed25519').privateKey;
          writeManifest(b, readManifest(b), other);
        },
        message: /signature/i,
        withKey: true,
      },
      {
        why: 'an unsigned bundle when a key is configured',
        tamper: (b) => fs.rmSync(path.join(b, 'airgap-manifest.json.sig')),
        message: /signature|signed/i,
        withKey: true,
      },
    ];
    for (const t of tampers) {
      it(`refuses ${t.why}`, async () => {
        const bundle = await makeBundle(path.join(world.share, 'tampered'), CHAIN, { signWith: KEYS.privateKey });
        t.tamper(bundle);
        const run = await world.run(bundle, t.withKey === true ? { verificationKey: PUBLIC_PEM } : {});
        assert.match(failureOf(run), t.message);
        assert.equal(world.calls().length, 0, 'OSPTool was never called');
      });
    }

    it('accepts a signed bundle without a key, with a warning', async () => {
      const bundle = await makeBundle(path.join(world.share, 'signed'), CHAIN, { signWith: KEYS.privateKey });
      const run = await world.run(bundle);
      assert.equal(run.result?.status, 'SucceededWithIssues');
      assert.ok(
        run.warnings.some((w) => /sign/i.test(w)),
        run.warnings.join('\n'),
      );
    });

    it('verifies a good signature when the key is configured, as PEM text or as a file', async () => {
      const bundle = await makeBundle(path.join(world.share, 'signed'), CHAIN, { signWith: KEYS.privateKey });
      const keyFile = path.join(world.root, 'public key.pem');
      fs.writeFileSync(keyFile, PUBLIC_PEM);
      for (const key of [PUBLIC_PEM, keyFile]) {
        const run = await world.run(bundle, { verificationKey: key, dryRun: 'true' });
        assert.equal(run.result?.status, 'Succeeded', run.stdout);
        assert.match(run.stdout, /signature verified/);
      }
    });
  });

  describe('OSPTool failures stop at that package and a rerun resumes', () => {
    for (const mode of ['exit', 'error-text', 'hang', 'crash'] as const) {
      it(`on ${mode}: names the application, publishes nothing after it, and the rerun publishes nothing twice`, async () => {
        const bundle = await makeBundle(path.join(world.share, 'release 7'), CHAIN);
        world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Portal': mode } });
        const first = await world.run(bundle, { timeoutMinutes: '0.05' });
        const message = failureOf(first);
        assert.match(message, /"Customer Portal"/);
        if (mode === 'error-text') assert.match(message, /Outdated Consumer/);
        if (mode === 'hang') assert.match(message, /within 0\.05 minute/);
        assert.doesNotMatch(message, /\.\./, 'one full stop between sentences');
        assert.deepEqual(appsOf(world.publishedFiles()), ['Customer_Core', 'Customer_Portal']);
        assert.equal(first.outputVariables.deployedCount, '1');

        world.control({ expectedPassword: AIRGAP_PASSWORD });
        const rerun = await world.run(bundle);
        succeeded(rerun);
        assert.match(rerun.stdout, /Customer Core 1\.0\.0: already published/);
        assert.deepEqual(appsOf(world.publishedFiles()), [
          'Customer_Core',
          'Customer_Portal',
          'Customer_Portal',
          'Backoffice',
        ]);
        assert.equal(rerun.outputVariables.deployedCount, '2');
      });
    }
  });

  it('resumes after the agent kills the task mid-publish', async () => {
    const bundle = await makeBundle(path.join(world.share, 'killed'), CHAIN);
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Portal': 'hang' } });
    const started = world.start(bundle);
    const deadline = Date.now() + 30_000;
    while (world.calls().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    // The agent cancels with SIGINT/SIGTERM; the task stops OSPTool and leaves the journal consistent.
    started.child.kill('SIGTERM');
    const cancelled = await started.done;
    assert.equal(cancelled.result?.status, 'Cancelled');
    world.control({ expectedPassword: AIRGAP_PASSWORD });
    const rerun = await world.run(bundle);
    succeeded(rerun);
    assert.deepEqual(appsOf(world.publishedFiles()), [
      'Customer_Core',
      'Customer_Portal',
      'Customer_Portal',
      'Backoffice',
    ]);
  });

  it('lets only one deployment of a bundle to a target run at a time', async () => {
    const bundle = await makeBundle(path.join(world.share, 'concurrent'), CHAIN);
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Core': 'hang' } });
    const first = world.start(bundle, { timeoutMinutes: '1' });
    const deadline = Date.now() + 30_000;
    while (world.calls().length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const second = await world.run(bundle);
    assert.match(failureOf(second), /another deployment of this bundle to the same target is running/);
    assert.equal(world.calls().length, 1, 'the second run published nothing');
    first.child.kill('SIGTERM');
    await first.done;
  });

  it('never publishes a package changed on the share after verification', async () => {
    const bundle = await makeBundle(path.join(world.share, 'swapped'), CHAIN);
    world.control({
      expectedPassword: AIRGAP_PASSWORD,
      tamperWhilePublishing: { 'Customer Core': path.join(bundle, 'Customer_Portal_v1_0_0.oap') },
    });
    const run = await world.run(bundle);
    assert.match(failureOf(run), /Customer_Portal_v1_0_0\.oap.*(added to|changed) after the export/);
    assert.deepEqual(appsOf(world.publishedFiles()), ['Customer_Core']);
  });

  it('ignores journal entries forged on the share and publishes those packages again', async () => {
    const bundle = await makeBundle(path.join(world.share, 'forged'), CHAIN);
    const manifest = readManifest(bundle);
    const published = manifest.applications.map((a) => ({
      key: a.key,
      name: a.name,
      version: a.version,
      sha256: a.sha256,
      file: a.file,
      publishedAt: '2026-11-27T10:00:00.000Z',
      mac: '00'.repeat(32),
    }));
    fs.writeFileSync(
      `${bundle}.deploy-${PRE_HOSTNAME}.journal.json`,
      JSON.stringify({ schemaVersion: 1, targetHostname: PRE_HOSTNAME, bundlePath: bundle, published }),
    );
    const run = await world.run(bundle);
    assert.equal(run.result?.status, 'SucceededWithIssues');
    assert.ok(run.warnings.some((w) => w.includes('3 entries') && w.includes('ignored')));
    assert.deepEqual(appsOf(world.publishedFiles()), ['Customer_Core', 'Customer_Portal', 'Backoffice']);
  });

  it('dry run verifies and prints the plan in order, and calls nothing', async () => {
    const bundle = await makeBundle(path.join(world.share, 'dry'), CHAIN);
    const run = await world.run(bundle, { dryRun: 'true', osptoolPath: path.join(world.root, 'no such tool.exe') });
    succeeded(run);
    assert.equal(world.calls().length, 0);
    const plan = ['1. Customer Core 1.0.0', '2. Customer Portal 1.0.0', '3. Backoffice 1.0.0'].map((l) =>
      run.stdout.indexOf(l),
    );
    assert.ok(
      plan.every((i) => i >= 0),
      run.stdout,
    );
    assert.deepEqual(
      [...plan].sort((a, b) => a - b),
      plan,
      'printed in order',
    );
    assert.equal(run.outputVariables.deployedCount, '0');
  });

  it('keeps the journal in the agent temp folder, with a warning, when the share is read-only', async function () {
    if (!canMountReadOnly()) this.skip(); // needs a private mount namespace (root on Linux)
    const bundle = await makeBundle(path.join(world.share, 'readonly'), CHAIN);
    const readOnlyShare = (node: string, entry: string) => ({
      command: 'unshare',
      args: ['-m', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', world.share, node, entry],
    });
    const run = await world.run(bundle, {}, { launcher: readOnlyShare });
    assert.equal(run.result?.status, 'SucceededWithIssues', run.stdout);
    assert.ok(
      run.warnings.some((w) => /is not writable/.test(w)),
      run.warnings.join('\n'),
    );
    assert.deepEqual(appsOf(world.publishedFiles()), ['Customer_Core', 'Customer_Portal', 'Backoffice']);
    assert.deepEqual(
      fs.readdirSync(world.share).filter((f) => f.includes('.deploy-')),
      [],
      'nothing was written beside the bundle',
    );
  });
});

function canMountReadOnly(): boolean {
  if (process.platform !== 'linux') return false;
  const probe = spawnSync(
    'unshare',
    ['-m', 'sh', '-c', 'mount --bind -o ro / /mnt 2>/dev/null || mount --bind -o ro /tmp /tmp'],
    {
      stdio: 'ignore',
    },
  );
  return probe.status === 0;
}
