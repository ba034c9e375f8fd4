import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROD_TOKEN } from '../../tools/factories/estate';
import type { TaskRun } from '../../tools/agent/taskRunner';
import { assertNoLeaks } from './exportWorld';
import { promoteWorld, type PromoteWorld } from './promoteWorld';

function manifestSha(bundle: string): string {
  return crypto
    .createHash('sha256')
    .update(fs.readFileSync(path.join(bundle, 'airgap-manifest.json')))
    .digest('hex');
}

function status(run: TaskRun): string {
  return `${run.result?.status ?? 'no result'}: ${run.result?.message ?? ''}\n${run.stdout.slice(-3000)}`;
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
    assertNoLeaks(run, [PROD_TOKEN]);

    const rerun = await w.run();
    assert.equal(rerun.result?.status, 'Succeeded', status(rerun));
    assert.equal(rerun.outputVariables.promotedCount, '0');
    assert.equal(w.production.deployments().length, 1, 'no second plan');
  });
});
