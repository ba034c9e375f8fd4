/**
 * A hanging OSPTool whose helper escaped the kill and holds its output pipes: the deploy must still
 * end, Failed and naming the timeout, within the timeout plus the stop deadline the README states
 * (shared/osptool/runner.ts STOP_DEADLINE_MS), and never run into the agent's own job timeout.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeBundle } from '../../tools/factories/bundleFactory';
import { STOP_DEADLINE_MS } from '../../shared/osptool/runner';
import { AIRGAP_PASSWORD, deployWorld, type DeployWorld } from '../support/deployWorld';
import { failureOf } from '../support/taskResults';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('OutSystemsAirGapDeploy when OSPTool hangs and a helper holds its pipes', function () {
  if (process.platform === 'win32') return; // the stand-in's escaped helper uses a POSIX session
  this.timeout(120_000);
  let world: DeployWorld;
  let helperPid: number | undefined;

  before(async () => {
    world = await deployWorld();
  });
  after(async () => {
    if (helperPid !== undefined && isAlive(helperPid)) process.kill(helperPid, 'SIGKILL');
    await world.close();
  });

  it('ends Failed naming the timeout, within the timeout plus the stop deadline', async () => {
    const bundle = await makeBundle(path.join(world.share, 'hang release'), [{ name: 'Customer Core' }]);
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Core': 'hang-escaped-helper' } });
    const timeoutMs = 0.05 * 60_000;
    const started = Date.now();
    // The runner's own kill would end the run at 120 s: the task must end long before.
    const run = await world.run(bundle, { timeoutMinutes: '0.05' }, { timeoutMs: 60_000 });
    const elapsed = Date.now() - started;
    helperPid = Number(fs.readFileSync(path.join(path.dirname(world.osptool), 'osptool-hang-helper.pid'), 'utf8'));
    assert.equal(run.timedOut, false, 'the task ended by itself');
    assert.equal(run.result?.status, 'Failed');
    assert.match(failureOf(run), /"Customer Core" .* within 0\.05 minute\(s\) and was stopped/);
    assert.ok(isAlive(helperPid), 'the helper outlived the tool, holding the pipes');
    // A bound, not a timing: the run ended rather than waiting for the helper's minute.
    const bound = timeoutMs + STOP_DEADLINE_MS + 15_000;
    assert.ok(elapsed < bound, `the deploy took ${elapsed} ms, more than ${bound} ms`);
  });
});
