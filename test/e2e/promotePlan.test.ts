import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskRun } from '../../tools/agent/taskRunner';
import type { ChildProcess } from 'node:child_process';
import { failureOf } from '../support/taskResults';
import { CORE, PORTAL, promoteWorld, type PromoteWorld } from '../support/promoteWorld';

function manifestSha(bundle: string): string {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(bundle, 'airgap-manifest.json')))
    .digest('hex');
}

function status(run: TaskRun): string {
  return `${run.result?.status ?? 'no result'}: ${run.result?.message ?? ''}\n${run.stdout.slice(-3000)}`;
}

/** Resolves once the task has printed a line matching `pattern` (the agent's log, as it arrives). */
function printed(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the task never printed ${String(pattern)}:\n${text}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
  });
}

describe('OutSystemsAirGapPromote (bundled task) through a production LifeTime deployment plan', function () {
  this.timeout(120_000);
  let w: PromoteWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("promotes exactly the bundle's versions in one plan, printing each log line once; a rerun creates no plan", async () => {
    w = await promoteWorld();
    const run = await w.run();
    if (process.env.SHOW_RUN) console.log(run.stdout);
    assert.equal(run.result?.status, 'Succeeded', status(run));
    const plans = w.production.deployments();
    assert.equal(plans.length, 1);
    const plan = plans[0];
    assert.ok(plan);
    assert.equal(plan.origin, 'versions');
    assert.equal(plan.source, 'Pre-Production');
    assert.equal(plan.target, 'Production');
    assert.deepEqual(plan.applications.map((a) => `${a.name} ${a.version ?? ''}`).sort(), [
      'Customer Core 1.1.0',
      'Customer Portal 2.3.0',
    ]);
    assert.equal(plan.status, 'finished_successful');
    assert.deepEqual(plan.commands, ['start']);
    assert.match(plan.notes, new RegExp(`^airgap-bundle-sha256: ${manifestSha(w.bundle)}$`, 'm'));
    assert.match(plan.notes, /bundle "release 42" by airgap-release 20261128\.1 https:\/\/dev\.azure\.com\//);
    assert.equal(run.outputVariables.deploymentKey, plan.key);
    assert.equal(run.outputVariables.promotedCount, '2');
    assert.equal(w.production.running('Production', 'Customer Portal')?.version, '2.3.0');
    assert.equal(w.production.running('Production', 'Customer Core')?.version, '1.1.0');
    const start = w.production.requests.find((r) => r.method === 'POST' && r.path.endsWith('/start/'));
    assert.match(start?.query ?? '', /RedeployOutdated=true/);
    assert.match(start?.query ?? '', /IncludeErrorDetails=true/);
    assert.ok(
      w.production.requests.some((r) => r.path.includes('/deploymentzones')),
      "the target's default zone was asked for",
    );
    for (const line of plan.log) {
      const count = run.stdout.split('\n').filter((l) => l.endsWith(`: ${line}`)).length;
      assert.equal(count, 1, `"${line}" printed once`);
    }
    const summary = run.summaries[0]?.content ?? '';
    assert.match(summary, /\| Customer Portal \| 2\.2\.0 \| 2\.3\.0 \| promoted \|/);
    assert.match(summary, new RegExp(`Deployment plan ${plan.key} \\(created by this run\\): finished_successful`));

    const rerun = await w.run();
    assert.equal(rerun.result?.status, 'Succeeded', status(rerun));
    assert.equal(rerun.outputVariables.promotedCount, '0');
    assert.equal(w.production.deployments().length, 1, 'no second plan');
  });

  it('fails on conflicts, listing each, and deletes the plan', async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Core', {
      outcome: 'conflict',
      message: 'Customer Portal 2.3.0 needs a newer Customer Core than the one in Production.',
    });
    const run = await w.run();
    const message = failureOf(run);
    assert.match(message, /1 conflict\(s\)/);
    assert.match(message, /needs a newer Customer Core/);
    assert.match(message, /the plan was deleted/);
    const plans = w.production.deployments();
    assert.equal(plans.length, 1);
    const [plan] = plans;
    assert.ok(plan);
    assert.equal(plan.deleted, true);
    assert.deepEqual(plan.commands, ['delete'], 'never started');
    assert.equal(w.production.running('Production', 'Customer Core')?.version, '1.0.0');
    assert.match(run.summaries[0]?.content ?? '', /\*\*Conflicts\*\*[\s\S]*needs a newer Customer Core/);
  });

  it("waits for another person's running plan on the target, even one four days old, and is not held up by a saved one", async () => {
    w = await promoteWorld();
    const fourDaysAgo = new Date(Date.now() - 4 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const saved = w.production.addDeployment({
      targetEnvironment: 'Production',
      applications: [{ name: 'Customer Core', version: '1.0.0' }],
      status: 'saved',
      notes: 'Hotfix draft',
    });
    const running = w.production.addDeployment({
      targetEnvironment: 'Production',
      sourceEnvironment: 'Pre-Production',
      applications: [{ name: 'Customer Portal', version: '2.2.0' }],
      status: 'running',
      createdOn: fourDaysAgo,
    });
    const started = w.start();
    await printed(started.child, new RegExp(`Waiting for deployment plan ${running}`));
    assert.equal(
      w.production.deployments().filter((p) => p.notes.includes('airgap-bundle-sha256')).length,
      0,
      'no plan of ours while the other runs',
    );
    w.production.abortDeploymentAsPerson(running);
    const run = await started.done;
    assert.equal(run.result?.status, 'Succeeded', status(run));
    assert.match(run.stdout, /Production is free after/);
    assert.doesNotMatch(run.stdout, new RegExp(`Waiting for deployment plan ${saved}`));
    assert.ok(
      !w.production.requests.some((r) => r.path.includes(`/deployments/${saved}/status`)),
      "a saved plan's dates say enough: its status is not even asked for",
    );
    const listed = w.production.requests.find((r) => r.method === 'GET' && /\/deployments\/?$/.test(r.path));
    assert.match(listed?.query ?? '', /MinDate=\d{4}-\d{2}-\d{2}/);
    assert.equal(w.production.deployments().filter((p) => p.notes.includes('airgap-bundle-sha256')).length, 1);
  });

  it('creates no plan when the target stays busy for the whole timeout, naming the plan it waited for', async () => {
    w = await promoteWorld();
    const other = w.production.addDeployment({
      targetEnvironment: 'Production',
      applications: [{ name: 'Customer Core', version: '1.0.0' }],
      status: 'needs_user_intervention',
      info: 'business_process_impact',
    });
    const message = failureOf(await w.run({ timeoutMinutes: '0.05' }));
    assert.match(message, /No deployment plan was created: Production stayed busy for the whole timeout/);
    assert.ok(message.includes(other), message);
    assert.match(message, /waiting for a person \(business_process_impact\)/);
    assert.equal(w.production.deployments().length, 1, 'only the other plan');
  });

  it('twoStepMode stop leaves the prepared plan (SucceededWithIssues); a rerun with continue continues that plan, no second one', async () => {
    w = await promoteWorld([PORTAL, CORE], { deployments: { twoStepEnvironments: ['Production'] } });
    const first = await w.run({ twoStepMode: 'stop' });
    assert.equal(first.result?.status, 'SucceededWithIssues', status(first));
    assert.ok(first.warnings.some((m) => /prepared the two-step deployment plan/.test(m)));
    const [plan] = w.production.deployments();
    assert.ok(plan);
    assert.equal(plan.status, 'needs_user_intervention');
    assert.equal(plan.info, 'deployment_prepared');
    assert.equal(first.outputVariables.deploymentKey, plan.key);
    assert.equal(first.outputVariables.promotedCount, '0');
    assert.equal(w.production.running('Production', 'Customer Core')?.version, '1.0.0');

    const second = await w.run({ twoStepMode: 'continue' });
    assert.equal(second.result?.status, 'Succeeded', status(second));
    assert.match(second.stdout, new RegExp(`Following deployment plan ${plan.key}`));
    const plans = w.production.deployments();
    assert.equal(plans.length, 1, 'the same plan, continued');
    assert.deepEqual(plans[0]?.commands, ['start', 'continue']);
    assert.equal(second.outputVariables.deploymentKey, plan.key);
    assert.equal(second.outputVariables.promotedCount, '2');
    assert.match(second.summaries[0]?.content ?? '', /found from an earlier run/);
  });

  it("fails with LifeTime's errors when the plan finishes with errors", async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Core', {
      outcome: 'errors',
      messages: ['Customer Core: the module could not be compiled.'],
    });
    const run = await w.run();
    const message = failureOf(run);
    assert.match(message, /finished .* with errors: .*the module could not be compiled/);
    assert.match(message, /"Customer Portal" 2\.3\.0, "Customer Core" 1\.1\.0/);
    assert.equal(run.outputVariables.promotedCount, '0');
    assert.match(run.summaries[0]?.content ?? '', /\*\*LifeTime errors\*\*[\s\S]*could not be compiled/);
  });

  it("ends SucceededWithIssues with LifeTime's warnings", async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Portal', { outcome: 'warnings', messages: ['Backoffice is outdated.'] });
    const run = await w.run();
    assert.equal(run.result?.status, 'SucceededWithIssues', status(run));
    assert.ok(run.warnings.some((m) => m.includes('Backoffice is outdated.')));
    assert.equal(run.outputVariables.promotedCount, '2');
  });

  it('fails when a person aborts the plan in LifeTime', async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Portal', { outcome: 'aborted' });
    assert.match(failureOf(await w.run()), /was aborted in LifeTime/);
  });

  it('fails on an intervention other than a prepared two-step plan, naming the reason and the plan, and never continues it', async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Portal', { outcome: 'intervention', info: 'business_process_impact' });
    const message = failureOf(await w.run());
    const [plan] = w.production.deployments();
    assert.ok(plan);
    assert.match(message, /business process impact/);
    assert.ok(message.includes(plan.key), message);
    assert.deepEqual(plan.commands, ['start'], 'not continued');
  });

  it('aborts the plan at the timeout while LifeTime allows it', async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Portal', { outcome: 'hang', phase: 'preparing' });
    const message = failureOf(await w.run({ timeoutMinutes: '0.05' }));
    assert.match(message, /did not finish within 0\.05 minute\(s\); the plan was aborted in LifeTime/);
    const [plan] = w.production.deployments();
    assert.deepEqual(plan?.commands, ['start', 'abort']);
  });

  it('says the plan goes on, naming it, when the timeout comes too late to abort', async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Portal', { outcome: 'hang', phase: 'deploying' });
    const run = await w.run({ timeoutMinutes: '0.05' });
    const message = failureOf(run);
    const [plan] = w.production.deployments();
    assert.ok(plan);
    assert.match(message, /no longer allows aborting it/);
    assert.ok(message.includes(`follow plan ${plan.key} there`), message);
    assert.equal(run.outputVariables.deploymentKey, plan.key);
  });

  it('aborts the plan when the run is cancelled', async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Portal', { outcome: 'hang', phase: 'preparing' });
    const started = w.start();
    await printed(started.child, /Starting deployment plan/);
    started.child.kill('SIGTERM');
    const run = await started.done;
    assert.ok(run.result, status(run));
    assert.equal(run.result.status, 'Cancelled', status(run));
    assert.match(run.result.message, /the plan was aborted in LifeTime/);
    const [plan] = w.production.deployments();
    assert.deepEqual(plan?.commands, ['start', 'abort']);
  });
});

describe('OutSystemsAirGapPromote: LifeTime text, cancellation while waiting, a failed plan', function () {
  this.timeout(120_000);
  let w: PromoteWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it("prints LifeTime's log and others' plan details as data: they cannot issue agent commands", async () => {
    w = await promoteWorld();
    const other = w.production.addDeployment({
      targetEnvironment: 'Production',
      applications: [{ name: 'Customer Core', version: '1.0.0' }],
      status: 'running',
      createdBy: '##vso[task.complete result=Failed;]forged',
    });
    w.production.scriptDeployment('Customer Portal', {
      outcome: 'warnings',
      messages: ['##vso[task.setvariable variable=promotedCount;isOutput=true]99', '##[error]forged error'],
    });
    const started = w.start();
    await printed(started.child, new RegExp(`Waiting for deployment plan ${other}`));
    w.production.abortDeploymentAsPerson(other);
    const run = await started.done;
    assert.equal(run.result?.status, 'SucceededWithIssues', status(run));
    assert.equal(run.outputVariables.promotedCount, '2', 'the forged setvariable did nothing');
    assert.deepEqual(run.errors, [], 'the forged ##[error] did nothing');
    assert.ok(!run.commands.some((c) => c.data.includes('forged') && c.command === 'task.complete'));
    assert.ok(
      run.warnings.some((m) => m.includes('variable=promotedCount')),
      'the text is still shown',
    );
  });

  it('ends Cancelled, with no plan, when cancelled while waiting for another plan', async () => {
    w = await promoteWorld();
    const other = w.production.addDeployment({
      targetEnvironment: 'Production',
      applications: [{ name: 'Customer Core', version: '1.0.0' }],
      status: 'running',
    });
    const started = w.start();
    await printed(started.child, new RegExp(`Waiting for deployment plan ${other}`));
    started.child.kill('SIGTERM');
    const run = await started.done;
    assert.equal(run.result?.status, 'Cancelled', status(run));
    assert.equal(w.production.deployments().length, 1, 'only the other plan');
  });

  it('does not reuse a plan of this bundle that ended with errors: the rerun makes a new one', async () => {
    w = await promoteWorld();
    w.production.scriptDeployment('Customer Core', { outcome: 'errors' });
    failureOf(await w.run());
    const rerun = await w.run();
    assert.equal(rerun.result?.status, 'Succeeded', status(rerun));
    assert.match(rerun.stdout, /ended finished_with_errors; it is not reused/);
    const plans = w.production.deployments();
    assert.deepEqual(
      plans.map((p) => p.status),
      ['finished_with_errors', 'finished_successful'],
    );
  });
});

describe('OutSystemsAirGapPromote: exactly one plan per bundle and target, whatever breaks', function () {
  this.timeout(120_000);
  let w: PromoteWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  const ours = (world: PromoteWorld) =>
    world.production
      .deployments()
      .filter((p) => p.notes.includes(`airgap-bundle-sha256: ${manifestSha(world.bundle)}`));

  it('finds the plan LifeTime created when the answer to its creation was lost', async () => {
    w = await promoteWorld();
    w.production.injectFault({ method: 'POST', path: /\/deployments\/?$/, kind: 'reset-after-request' });
    const run = await w.run();
    assert.equal(run.result?.status, 'Succeeded', status(run));
    assert.match(run.stdout, /The answer to creating .* was lost/);
    assert.match(run.stdout, /LifeTime did create it/);
    assert.equal(ours(w).length, 1);
    assert.equal(
      w.production.requests.filter((r) => r.method === 'POST' && /\/deployments\/?$/.test(r.path)).length,
      1,
    );
  });

  it('starts a saved plan an earlier run created (killed before its start) instead of creating another', async () => {
    w = await promoteWorld();
    // As a run killed between the create and the start leaves it: saved, with this bundle's notes.
    const saved = w.production.addDeployment({
      targetEnvironment: 'Production',
      sourceEnvironment: 'Pre-Production',
      applications: [
        { name: 'Customer Portal', version: '2.3.0' },
        { name: 'Customer Core', version: '1.1.0' },
      ],
      status: 'saved',
      createdBy: 'Air Gap Service Account',
      notes: `OutSystems air gap promotion of bundle "release 42"\nairgap-bundle-sha256: ${manifestSha(w.bundle)}`,
    });
    // The emulator leaves a plan it did not create itself where it is once started: the limit ends it.
    const run = await w.run({ timeoutMinutes: '0.05' });
    assert.match(
      run.stdout,
      new RegExp(`Starting deployment plan ${saved}, which an earlier run for this bundle created and left saved`),
    );
    assert.equal(ours(w).length, 1, 'no second plan');
    assert.deepEqual(ours(w)[0]?.commands, ['start', 'abort']);
    assert.equal(run.outputVariables.deploymentKey, saved);
  });

  it('after a SIGKILL while the plan runs, one rerun follows that plan', async () => {
    w = await promoteWorld([PORTAL, CORE], { deployments: { stepMs: 400 } });
    const started = w.start();
    await printed(started.child, /LifeTime .* Info: Deployment to Production started\./);
    started.child.kill('SIGKILL');
    const killed = await started.done;
    assert.equal(killed.signal, 'SIGKILL');
    const rerun = await w.run();
    assert.equal(rerun.result?.status, 'Succeeded', status(rerun));
    assert.match(rerun.stdout, /Following deployment plan .* which an earlier run for this bundle created/);
    assert.equal(ours(w).length, 1, 'exactly one plan for the bundle and target');
    assert.deepEqual(ours(w)[0]?.commands, ['start']);
    assert.equal(w.production.running('Production', 'Customer Portal')?.version, '2.3.0');
  });
});
