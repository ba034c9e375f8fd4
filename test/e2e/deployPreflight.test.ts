/**
 * The pre-flight in the production LifeTime (contract, "Pre-flight") and the journal rule for a
 * rollback (issue 16 item 4), through the bundled deploy task. Every refusal names its culprit and
 * leaves no trace: no OSPTool call, no request to LifeTime other than a GET.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { EmulatorApplicationSpec } from '../../tools/emulator/spec';
import { makeBundle } from '../../tools/factories/bundleFactory';
import { PROD_TOKEN } from '../../tools/factories/estate';
import { runBundledTask } from '../../tools/agent/taskRunner';
import { deployWorld, type DeployWorld } from '../support/deployWorld';
import { failureOf, succeeded } from '../support/taskResults';

const PRODUCTION_APPS: EmulatorApplicationSpec[] = [
  {
    name: 'Customer Core',
    versions: [{ version: '1.0.0' }, { version: '2.0.0' }],
    running: { 'Pre-Production': { version: '2.0.0' } },
  },
  {
    name: 'Customer Portal',
    versions: [{ version: '1.0.0' }],
    running: { 'Pre-Production': { version: '1.0.0', modified: true } },
  },
  { name: 'Reporting', versions: [{ version: '3.1' }], running: { Production: { version: '3.1' } } },
];

function nothingChanged(world: DeployWorld): void {
  assert.deepEqual(world.calls(), [], 'no OSPTool call');
  const changes = world.production.requests.filter((r) => r.method !== 'GET');
  assert.deepEqual(
    changes.map((r) => `${r.method} ${r.path}`),
    [],
    'only GET requests to LifeTime',
  );
  assert.deepEqual(world.production.deployments(), [], 'no deployment plan');
}

describe('OutSystemsAirGapDeploy: the pre-flight in the production LifeTime (bundled task)', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  beforeEach(async () => {
    world = await deployWorld(PRODUCTION_APPS);
  });
  afterEach(async () => {
    await world.close();
  });

  it('refuses a target environment that LifeTime does not have, with the hint, for both publish methods', async () => {
    const bundle = await makeBundle(path.join(world.share, 'env'), [{ name: 'Inventory' }]);
    const message = failureOf(await world.runConnected(bundle, { targetEnvironment: 'Pre-production' }));
    assert.match(message, /environment "Pre-production" not found.*did you mean "Pre-Production"/);
    const viaLifeTime = failureOf(await world.runLifeTime(bundle, { targetEnvironment: 'PRE' }));
    assert.match(viaLifeTime, /environment "PRE" not found.*"Pre-Production", "Production"/);
    nothingChanged(world);
  });

  it('refuses a targetHostname other than the one LifeTime registers for the environment', async () => {
    const bundle = await makeBundle(path.join(world.share, 'host'), [{ name: 'Inventory' }]);
    const message = failureOf(await world.runConnected(bundle, { targetHostname: 'preprd.example.com' }));
    assert.match(
      message,
      /targetHostname is "preprd\.example\.com", but .* registers environment "Pre-Production" as host "preprod\.example\.com"/,
    );
    nothingChanged(world);
  });

  it('refuses when an application a package needs is unknown to LifeTime or does not run in the target', async () => {
    const bundle = await makeBundle(path.join(world.share, 'needs'), [
      { name: 'Inventory', producers: ['Legacy API', 'Reporting', 'System Components'] },
    ]);
    const message = failureOf(await world.runConnected(bundle));
    assert.match(
      message,
      /"Legacy API", needed by "Inventory" and not in the bundle, is not an application of LifeTime/,
    );
    assert.match(
      message,
      /"Reporting", needed by "Inventory" and not in the bundle, does not run in environment "Pre-Production"/,
    );
    assert.doesNotMatch(message, /System Components/, 'platform applications running in the target pass');
    assert.match(message, /found 2 problem\(s\); nothing was published/);
    nothingChanged(world);
  });

  it('refuses a stale bundle that would downgrade an application, and lets a rollback through with allowDowngrade', async () => {
    const bundle = await makeBundle(path.join(world.share, 'stale'), [{ name: 'Customer Core', version: '1.0.0' }]);
    const message = failureOf(await world.runConnected(bundle));
    assert.match(
      message,
      /"Customer Core": the bundle carries 1\.0\.0, but LifeTime .* already holds 2\.0\.0 \(the target runs 2\.0\.0\).*allowDowngrade/,
    );
    nothingChanged(world);

    const rollback = await world.runConnected(bundle, { allowDowngrade: 'true' });
    assert.equal(rollback.result?.status, 'SucceededWithIssues');
    assert.ok(
      rollback.warnings.some((w) => /rollback: "Customer Core".*1\.0\.0.*2\.0\.0/.test(w)),
      rollback.warnings.join('\n'),
    );
    assert.equal(world.calls().length, 1);
  });

  it('a dry run with the connection makes only GET requests and prints what the target runs for each package', async () => {
    const bundle = await makeBundle(path.join(world.share, 'dry'), [
      { name: 'Customer Portal', version: '1.0.0', producers: ['Customer Core'] },
      { name: 'Customer Core', version: '2.0.0' },
      { name: 'Inventory' },
    ]);
    const run = await world.runConnected(bundle, { dryRun: 'true' });
    succeeded(run);
    nothingChanged(world);
    assert.match(run.stdout, /1\. Customer Core 2\.0\.0 .*\(target: 2\.0\.0\)/);
    assert.match(run.stdout, /2\. Customer Portal 1\.0\.0 .*\(target: 1\.0\.0 \(modified\)\)/);
    assert.match(run.stdout, /3\. Inventory 1\.0\.0 .*\(target: not installed\)/);
    assert.match(run.summaries.map((s) => s.content).join('\n'), /Target before/);
  });
});

describe('OutSystemsAirGapDeploy: a rollback is never a silent no-op (B1, B2, then B1 again)', function () {
  this.timeout(180_000);
  let world: DeployWorld;
  beforeEach(async () => {
    world = await deployWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  /** Deploys a bundle and tags it in the production LifeTime, as the pipeline's two steps do. */
  async function release(bundle: string): Promise<void> {
    succeeded(await world.runConnected(bundle));
    succeeded(
      await runBundledTask('AirGapSyncTags', {
        inputs: { targetEnvironment: 'Pre-Production', bundlePath: bundle },
        connection: { url: world.production.url, token: PROD_TOKEN },
      }),
    );
  }

  it('with the connection: refused as a downgrade, and with allowDowngrade published again, not skipped', async () => {
    const b1 = await makeBundle(path.join(world.share, 'B1'), [{ name: 'Customer Core', version: '1.0.0' }]);
    const b2 = await makeBundle(path.join(world.share, 'B2'), [
      { name: 'Customer Core', version: '2.0.0', payloadBytes: 5000 },
    ]);
    await release(b1);
    await release(b2);
    assert.equal(world.production.running('Pre-Production', 'Customer Core')?.version, '2.0.0');

    const again = failureOf(await world.runConnected(b1));
    assert.match(again, /"Customer Core": the bundle carries 1\.0\.0, but LifeTime .* already holds 2\.0\.0/);
    assert.equal(world.calls().length, 2);

    const rollback = await world.runConnected(b1, { allowDowngrade: 'true' });
    succeeded(rollback);
    assert.match(rollback.result?.message ?? '', /Published 1 package\(s\)/);
    assert.ok(
      rollback.warnings.some((w) =>
        /records it as published .* LifeTime now holds the later version 2\.0\.0: published again/.test(w),
      ),
      rollback.warnings.join('\n'),
    );
    assert.equal(world.calls().length, 3, 'Customer Core 1.0.0 was published again');
    assert.match(
      rollback.summaries.map((s) => s.content).join('\n'),
      /LifeTime holds a later version, so published again/,
    );
  });

  it('without the connection: skipped as the journal says, and the log and the summary say it was judged by the journal alone', async () => {
    const b1 = await makeBundle(path.join(world.share, 'B1'), [{ name: 'Customer Core', version: '1.0.0' }]);
    const b2 = await makeBundle(path.join(world.share, 'B2'), [
      { name: 'Customer Core', version: '2.0.0', payloadBytes: 5000 },
    ]);
    succeeded(await world.run(b1));
    succeeded(await world.run(b2));
    const third = await world.run(b1);
    succeeded(third);
    assert.match(
      third.result?.message ?? '',
      /Published 0 package\(s\) to preprod\.example\.com, 1 already published earlier \(judged by the deploy journal alone/,
    );
    assert.match(third.stdout, /Customer Core 1\.0\.0: already published .*judged by the deploy journal alone/);
    assert.match(
      third.summaries.map((s) => s.content).join('\n'),
      /judged by the deploy journal alone, no LifeTime connection/,
    );
    assert.equal(world.calls().length, 2);
  });
});
