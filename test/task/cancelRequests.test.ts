/**
 * Cancellation reaches the LifeTime and CI/CD Probe requests of the bundled tasks: a SIGTERM while
 * a request hangs ends the task at once (not after the HTTP timeout or the cancel grace period),
 * and the export's cleanup runs.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { PROD_TOKEN, productionEstate } from '../../tools/factories/estate';
import { makeBundle } from '../../tools/factories/bundleFactory';
import { startBundledTask, type StartedTask, type TaskRun } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { exportWorld, type ExportWorld } from '../support/exportWorld';
import { startServer, type Loopback } from '../http/loopback';

/** Well under the 60 s HTTP timeout and the task's 30 s cancel grace period. */
const PROMPTLY_MS = 10_000;

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function cancel(started: StartedTask): Promise<{ run: TaskRun; ms: number }> {
  const at = Date.now();
  started.child.kill('SIGTERM');
  const run = await started.done;
  return { run, ms: Date.now() - at };
}

describe('cancellation reaches LifeTime and CI/CD Probe requests (bundled tasks)', function () {
  this.timeout(120_000);

  describe('export', () => {
    let world: ExportWorld | undefined;
    let probe: Loopback | undefined;
    afterEach(async () => {
      await probe?.close();
      await world?.close();
      probe = undefined;
      world = undefined;
    });

    it('stops a CI/CD Probe request that hangs, and removes the temporary folder', async () => {
      world = await exportWorld();
      // A Probe that takes the request and never answers.
      probe = await startServer(() => undefined);
      const started = world.start({
        applications: 'Reporting',
        dependencySource: 'probe',
        probeUrl: probe.url,
        probeKey: 'probe-key-cancel-7d1e',
      });
      const hung = probe;
      await until(() => hung.hits.length > 0, 'the Probe request');
      const { run, ms } = await cancel(started);
      assert.equal(run.result?.status, 'Cancelled', JSON.stringify(run.result));
      assert.ok(ms < PROMPTLY_MS, `the task took ${ms} ms to stop`);
      assert.match(run.result.message, /CI\/CD Probe .*cancelled/);
      assert.deepEqual(world.shareListing(), [], 'the temporary folder was removed');
    });

    it('stops a LifeTime request that hangs', async () => {
      world = await exportWorld();
      world.emulator.setLatency(600_000);
      const started = world.start({ applications: 'Reporting' });
      const emulator = world.emulator;
      await until(() => emulator.requests.length > 0, 'the first LifeTime request');
      const { run, ms } = await cancel(started);
      assert.equal(run.result?.status, 'Cancelled', JSON.stringify(run.result));
      assert.ok(ms < PROMPTLY_MS, `the task took ${ms} ms to stop`);
      assert.match(run.result.message, /cancelled while waiting for LifeTime/);
      assert.deepEqual(world.shareListing(), []);
    });
  });

  it('sync tags: stops a LifeTime request that hangs', async () => {
    const production = await LifeTimeEmulator.start(productionEstate());
    const dir = makeTempDir({ prefix: 'airgap-cancel-' });
    try {
      const bundle = await makeBundle(path.join(dir, 'release 42'), [{ name: 'Customer Core', version: '1.1.0' }]);
      production.setLatency(600_000);
      const started = startBundledTask('AirGapSyncTags', {
        inputs: { targetEnvironment: 'Pre-Production', bundlePath: bundle },
        connection: { url: production.url, token: PROD_TOKEN },
      });
      await until(() => production.requests.length > 0, 'the first LifeTime request');
      const { run, ms } = await cancel(started);
      assert.equal(run.result?.status, 'Cancelled', JSON.stringify(run.result));
      assert.ok(ms < PROMPTLY_MS, `the task took ${ms} ms to stop`);
    } finally {
      await production.close();
      removeTempDir(dir);
    }
  });
});
