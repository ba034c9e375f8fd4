/**
 * OSPTool failure modes (non-zero exit, error text with exit 0, hang past the timeout, crash) and a
 * graceful cancel mid-publish are in test/e2e/deploy.test.ts. What is added here: the agent killing
 * the task outright (SIGKILL, no cleanup at all) mid-publish. The lock it leaves is taken over, and
 * the rerun resumes after the last package the journal recorded, publishing nothing twice.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AIRGAP_PASSWORD, deployWorld, type DeployWorld } from '../support/deployWorld';
import { succeeded } from '../support/taskResults';
import { makeBundle } from '../../tools/factories/bundleFactory';

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Ends the hanging stand-in the killed task left behind: its process group, found from its helper. */
function endOrphanedStandIn(helperPidFile: string): void {
  const helper = Number(fs.readFileSync(helperPidFile, 'utf8'));
  const group = Number(
    execFileSync('ps', ['-o', 'pgid=', '-p', String(helper)])
      .toString()
      .trim(),
  );
  if (Number.isInteger(group) && group > 1) process.kill(-group, 'SIGKILL');
}

describe('deploy: the agent kills the task outright mid-publish', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  before(function () {
    if (process.platform === 'win32') this.skip(); // POSIX process groups
  });
  beforeEach(async () => {
    world = await deployWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  it('takes over the dead run’s lock and resumes, publishing nothing twice', async () => {
    const bundle = await makeBundle(path.join(world.share, 'killed hard'), [
      { name: 'Backoffice', producers: ['Customer Portal'] },
      { name: 'Customer Portal', producers: ['Customer Core'] },
      { name: 'Customer Core' },
    ]);
    const helperPidFile = path.join(path.dirname(world.osptool), 'osptool-hang-helper.pid');
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Portal': 'hang' } });
    const started = world.start(bundle);
    await waitFor(() => world.calls().length >= 2 && fs.existsSync(helperPidFile), 'the second publication');
    started.child.kill('SIGKILL');
    const killed = await started.done;
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(killed.result, undefined, 'no chance to report anything');
    endOrphanedStandIn(helperPidFile);
    assert.ok(
      fs.readdirSync(world.share).some((f) => f.endsWith('.lock')),
      'the killed run left its lock behind',
    );

    world.control({ expectedPassword: AIRGAP_PASSWORD });
    const rerun = await world.run(bundle);
    succeeded(rerun);
    assert.ok(
      rerun.warnings.some((w) => /stale deployment lock/.test(w)),
      rerun.warnings.join('\n'),
    );
    assert.match(rerun.stdout, /Customer Core 1\.0\.0: already published/);
    assert.deepEqual(
      world.publishedFiles().map((f) => f.replace(/_v\d.*$/, '')),
      ['Customer_Core', 'Customer_Portal', 'Customer_Portal', 'Backoffice'],
      'Customer Core once; Customer Portal again only because its first publication never finished',
    );
    assert.equal(rerun.outputVariables.deployedCount, '2');
    assert.ok(!fs.readdirSync(world.share).some((f) => f.endsWith('.lock')), 'the rerun released the lock');
  });
});
