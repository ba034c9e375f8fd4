/**
 * publishMethod `lifetime`: the bundled deploy task, run as the agent runs it with only the
 * connection and the target environment (no OSPTool, user or password), against the production
 * LifeTime emulator. "Exactly once" is asserted from the emulator's record of plans.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DeploymentRecord } from '../../tools/emulator/emulator';
import { makeBundle, readManifest } from '../../tools/factories/bundleFactory';
import type { BundleAppSpec } from '../../tools/factories/bundleFactory';
import { PROD_TOKEN } from '../../tools/factories/estate';
import { deployWorld, type DeployWorld } from '../support/deployWorld';
import { failureOf, succeeded } from '../support/taskResults';

const CHAIN: BundleAppSpec[] = [
  { name: 'Backoffice', producers: ['Customer Portal'] },
  { name: 'Customer Portal', producers: ['Customer Core', 'System Components'] },
  { name: 'Customer Core' },
];

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Application name -> how many plans deployed it successfully, and how many plans there were. */
function tally(plans: DeploymentRecord[]): Record<string, { finished: number; plans: number }> {
  const out: Record<string, { finished: number; plans: number }> = {};
  for (const p of plans) {
    for (const a of p.applications) {
      const t = (out[a.name] ??= { finished: 0, plans: 0 });
      t.plans++;
      if (p.status === 'finished_successful' || p.status === 'finished_with_warnings') t.finished++;
    }
  }
  return out;
}

/**
 * Bundles CHAIN into `folder` of the share, makes LifeTime hold the Customer Portal plan in
 * "preparing", starts the deploy task and returns once that plan runs (the moment to interrupt it).
 */
async function startWithPortalPlanRunning(world: DeployWorld, folder: string) {
  world.production.scriptDeployment('Customer Portal', { outcome: 'hang', phase: 'preparing' });
  const bundle = await makeBundle(path.join(world.share, folder), CHAIN);
  const started = world.startLifeTime(bundle);
  await waitFor(
    () =>
      world.production
        .deployments()
        .some((p) => p.applications[0]?.name === 'Customer Portal' && p.status === 'running'),
    'the Customer Portal plan to run',
  );
  return { bundle, started };
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe('OutSystemsAirGapDeploy with publishMethod lifetime (bundled task, production LifeTime)', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  afterEach(async () => {
    await world.close();
  });

  describe('on a plain target', () => {
    beforeEach(async () => {
      world = await deployWorld();
    });

    it('publishes producers first, one plan per package, each log line printed once; a rerun uploads nothing', async () => {
      const bundle = await makeBundle(path.join(world.share, 'release 7'), CHAIN);
      const run = await world.runLifeTime(bundle);
      succeeded(run);
      const plans = world.production.deployments();
      assert.deepEqual(
        plans.map((p) => [p.origin, p.applications.map((a) => a.name).join(), p.status, p.commands.join()]),
        [
          ['binary', 'Customer Core', 'finished_successful', 'start'],
          ['binary', 'Customer Portal', 'finished_successful', 'start'],
          ['binary', 'Backoffice', 'finished_successful', 'start'],
        ],
      );
      const manifest = readManifest(bundle);
      for (const p of plans) {
        const app = manifest.applications.find((a) => a.name === p.applications[0]?.name);
        assert.equal(p.applications[0]?.binarySha256, app?.sha256, 'LifeTime received the verified bytes');
      }
      // Identical messages of different plans are printed once per plan.
      const all = plans.flatMap((p) => p.log);
      for (const line of new Set(all)) {
        assert.equal(occurrences(run.stdout, line), all.filter((l) => l === line).length, `printed once: ${line}`);
      }
      assert.deepEqual(world.calls(), [], 'no OSPTool');
      assert.equal(run.outputVariables.deployedCount, '3');
      assert.equal(run.outputVariables.deploymentOrder, 'Customer Core,Customer Portal,Backoffice');
      assert.match(run.result?.message ?? '', /Published 3 package\(s\) to "Pre-Production" \(preprod\.example\.com\)/);
      assert.match(world.production.running('Pre-Production', 'Backoffice')?.modified ? 'ok' : '', /ok/);
      const summary = run.summaries.map((s) => s.content).join('\n');
      assert.match(summary, /Target before/);
      assert.ok(
        plans.every((p) => summary.includes(p.key)),
        'the summary names each plan',
      );

      const rerun = await world.runLifeTime(bundle);
      succeeded(rerun);
      assert.equal(world.production.deployments().length, 3, 'nothing uploaded again');
      assert.match(rerun.result?.message ?? '', /Published 0 package\(s\).*3 already published earlier/);
      assert.doesNotMatch(rerun.result?.message ?? '', /journal alone/);
    });

    it('accepts the new plan key as plain text, as a JSON string and as {"DeploymentKey": …}', async () => {
      for (const form of ['text', 'json-string', 'object'] as const) {
        world.production.setDeploymentKeyAnswer(form, 'binary');
        const bundle = await makeBundle(path.join(world.share, `key ${form}`), [{ name: `App ${form}` }]);
        succeeded(await world.runLifeTime(bundle));
      }
      assert.deepEqual(
        world.production.deployments().map((p) => p.status),
        ['finished_successful', 'finished_successful', 'finished_successful'],
      );
    });

    it("LifeTime's text is data: a log line that echoes the token or carries an agent command does neither", async () => {
      world.production.scriptDeployment('Customer Core', {
        outcome: 'warnings',
        messages: [`Connected with ${PROD_TOKEN}`, '##vso[task.setvariable variable=deployedCount;isOutput=true]999'],
      });
      // The task runner fails any run that prints the token it was given; this one must pass that scan.
      const run = await world.runLifeTime(
        await makeBundle(path.join(world.share, 'hostile'), [{ name: 'Customer Core' }]),
      );
      assert.equal(run.result?.status, 'SucceededWithIssues');
      assert.equal(run.outputVariables.deployedCount, '1');
      assert.match(run.stdout, /Connected with \*\*\*/);
    });

    it('warnings: published, and the task ends with issues naming them', async () => {
      world.production.scriptDeployment('Customer Core', {
        outcome: 'warnings',
        messages: ['Consumer Reports is outdated'],
      });
      const run = await world.runLifeTime(
        await makeBundle(path.join(world.share, 'warn'), [{ name: 'Customer Core' }]),
      );
      assert.equal(run.result?.status, 'SucceededWithIssues');
      assert.ok(
        run.warnings.some((w) => w.includes('Consumer Reports is outdated')),
        run.warnings.join('\n'),
      );
    });

    it('errors: fails naming the package and LifeTime, stops before the next; a rerun deploys each exactly once', async () => {
      const bundle = await makeBundle(path.join(world.share, 'errors'), CHAIN);
      world.production.scriptDeployment('Customer Portal', {
        outcome: 'errors',
        messages: ['Module PortalUI failed to compile'],
      });
      const run = await world.runLifeTime(bundle);
      const message = failureOf(run);
      assert.match(message, /"Customer Portal" 1\.0\.0.*with errors: Module PortalUI failed to compile/);
      assert.match(message, /a rerun resumes at "Customer Portal"/);
      assert.equal(world.production.deployments().length, 2, 'Backoffice was not uploaded');
      succeeded(await world.runLifeTime(bundle));
      assert.deepEqual(tally(world.production.deployments()), {
        'Customer Core': { finished: 1, plans: 1 },
        'Customer Portal': { finished: 1, plans: 2 },
        Backoffice: { finished: 1, plans: 1 },
      });
    });

    it('a conflict fails the package and deletes its plan', async () => {
      world.production.scriptDeployment('Customer Core', {
        outcome: 'conflict',
        message: 'Customer Core needs Legacy API 2',
      });
      const run = await world.runLifeTime(
        await makeBundle(path.join(world.share, 'conflict'), [{ name: 'Customer Core' }]),
      );
      assert.match(failureOf(run), /conflict.*Customer Core needs Legacy API 2.*the plan was deleted/);
      assert.deepEqual(
        world.production.deployments().map((p) => [p.deleted, p.commands.join()]),
        [[true, 'delete']],
      );
    });

    it('an intervention that is not a prepared two-step plan fails naming the reason and the plan; a rerun does not upload again', async () => {
      world.production.scriptDeployment('Customer Core', {
        outcome: 'intervention',
        info: 'needs_configuration_or_confirmation',
      });
      const bundle = await makeBundle(path.join(world.share, 'intervention'), [{ name: 'Customer Core' }]);
      const message = failureOf(await world.runLifeTime(bundle));
      const [plan] = world.production.deployments();
      assert.ok(plan);
      assert.match(message, /waits for a person.*needs_configuration_or_confirmation/);
      assert.ok(message.includes(plan.key), message);
      const again = failureOf(await world.runLifeTime(bundle));
      assert.ok(again.includes(plan.key));
      assert.equal(world.production.deployments().length, 1, 'the waiting plan is followed, not replaced');
      assert.deepEqual(plan.commands, ['start'], 'never continued by the task');
    });

    it('an answer lost after the upload was processed: the plan is found in LifeTime and followed, never uploaded twice', async () => {
      world.production.injectFault({ kind: 'reset-after-request', method: 'POST', path: '/deployment' });
      const run = await world.runLifeTime(await makeBundle(path.join(world.share, 'lost'), CHAIN));
      succeeded(run);
      assert.match(run.stdout, /Found deployment plan [0-9a-f-]+ for "Customer Core" in LifeTime's list/);
      assert.deepEqual(tally(world.production.deployments()), {
        'Customer Core': { finished: 1, plans: 1 },
        'Customer Portal': { finished: 1, plans: 1 },
        Backoffice: { finished: 1, plans: 1 },
      });
    });

    it('LifeTime unreachable while following: fails saying the plan goes on; a rerun follows the same plan', async () => {
      world.production.injectFault({ kind: 'status', method: 'GET', path: '/status', status: 500, times: 30 });
      const bundle = await makeBundle(path.join(world.share, 'flaky'), [{ name: 'Customer Core' }]);
      assert.match(failureOf(await world.runLifeTime(bundle)), /a rerun follows it/);
      world.production.clearFaults();
      const rerun = await world.runLifeTime(bundle);
      succeeded(rerun);
      assert.match(rerun.stdout, /created by an earlier run; following it \(no second upload\)/);
      assert.deepEqual(tally(world.production.deployments()), { 'Customer Core': { finished: 1, plans: 1 } });
    });

    it('a timeout aborts the plan when LifeTime allows it; a rerun then deploys the package', async () => {
      world.production.scriptDeployment('Customer Core', { outcome: 'hang', phase: 'preparing' });
      const bundle = await makeBundle(path.join(world.share, 'slow'), [{ name: 'Customer Core' }]);
      const message = failureOf(await world.runLifeTime(bundle, { timeoutMinutes: '0.03' }));
      assert.match(message, /did not finish within 0\.03 minute\(s\); the plan was aborted/);
      assert.deepEqual(world.production.deployments()[0]?.commands, ['start', 'abort']);
      succeeded(await world.runLifeTime(bundle));
      assert.deepEqual(tally(world.production.deployments()), { 'Customer Core': { finished: 1, plans: 2 } });
    });

    it('a cancellation aborts the running plan; a rerun deploys each package exactly once', async () => {
      const { bundle, started } = await startWithPortalPlanRunning(world, 'cancelled');
      started.child.kill('SIGTERM');
      const cancelled = await started.done;
      assert.notEqual(cancelled.result?.status, 'Succeeded');
      assert.ok(
        world.production.deployments().some((p) => p.commands.includes('abort')),
        'the plan was aborted',
      );
      succeeded(await world.runLifeTime(bundle));
      const t = tally(world.production.deployments());
      assert.deepEqual(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.finished])), {
        'Customer Core': 1,
        'Customer Portal': 1,
        Backoffice: 1,
      });
    });

    it('killed outright (SIGKILL) while a plan runs: the rerun follows that plan and deploys each package exactly once', async function () {
      if (process.platform === 'win32') this.skip();
      const { bundle, started } = await startWithPortalPlanRunning(world, 'killed');
      started.child.kill('SIGKILL');
      assert.equal((await started.done).signal, 'SIGKILL');
      // The plan the killed run left hangs in LifeTime until a person aborts it there: the rerun follows that plan
      // (no upload) and reports the abort; the run after it uploads the package for a new plan.
      const portal = world.production.deployments().find((p) => p.applications[0]?.name === 'Customer Portal');
      assert.ok(portal);
      world.production.abortDeploymentAsPerson(portal.key);
      const rerun = await world.runLifeTime(bundle);
      assert.match(failureOf(rerun), /was aborted in LifeTime/, 'the rerun followed the plan the killed run made');
      succeeded(await world.runLifeTime(bundle));
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(tally(world.production.deployments())).map(([k, v]) => [k, [v.finished, v.plans]]),
        ),
        { 'Customer Core': [1, 1], 'Customer Portal': [1, 2], Backoffice: [1, 1] },
      );
    });

    it('killed outright (SIGKILL) while a plan runs that then finishes: the rerun records it without a second upload', async function () {
      if (process.platform === 'win32') this.skip();
      const bundle = await makeBundle(path.join(world.share, 'killed late'), CHAIN);
      const started = world.startLifeTime(bundle);
      await waitFor(
        () => world.production.deployments().some((p) => p.applications[0]?.name === 'Customer Portal'),
        'the Customer Portal plan',
      );
      started.child.kill('SIGKILL');
      await started.done;
      const rerun = await world.runLifeTime(bundle);
      succeeded(rerun);
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(tally(world.production.deployments())).map(([k, v]) => [k, [v.finished, v.plans]]),
        ),
        { 'Customer Core': [1, 1], 'Customer Portal': [1, 1], Backoffice: [1, 1] },
      );
    });
  });

  it('a lost answer that LifeTime cannot settle (another saved plan of the same application): fails saying what to look at, uploads nothing again', async () => {
    world = await deployWorld([{ name: 'Customer Core', versions: [{ version: '0.9.0' }] }]);
    const theirs = world.production.addDeployment({
      targetEnvironment: 'Pre-Production',
      applications: [{ name: 'Customer Core', version: '0.9.0' }],
      status: 'saved',
    });
    world.production.injectFault({ kind: 'reset-after-request', method: 'POST', path: '/deployment' });
    const bundle = await makeBundle(path.join(world.share, 'ambiguous'), [{ name: 'Customer Core' }]);
    const message = failureOf(await world.runLifeTime(bundle));
    const ours = world.production.deployments().find((p) => p.origin === 'binary');
    assert.ok(ours);
    assert.match(message, /LifeTime lists 2 plans for "Customer Core" to "Pre-Production"/);
    assert.ok(message.includes(theirs) && message.includes(ours.key), message);
    assert.match(message, /look in LifeTime .* delete any that was not started, and run the task again/);
    assert.equal(world.production.deployments().length, 2, 'nothing uploaded a second time');
    assert.deepEqual(ours.commands, [], 'and nothing started');
  });

  it('a two-step target: the prepared plan is continued, the package published', async () => {
    world = await deployWorld([], { deployments: { twoStepEnvironments: ['Pre-Production'] } });
    const run = await world.runLifeTime(
      await makeBundle(path.join(world.share, 'two step'), [{ name: 'Customer Core' }]),
    );
    succeeded(run);
    assert.deepEqual(world.production.deployments()[0]?.commands, ['start', 'continue']);
  });
});
