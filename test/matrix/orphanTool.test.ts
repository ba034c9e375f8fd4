/**
 * OSPTool runs in its own process group, so nothing ends it when the task goes. These prove that
 * no way out of the task leaves it publishing, and that a rerun never publishes alongside one left
 * by a task killed outright: the lock names the tool, and is not taken over while it lives.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processAlive } from '../../shared/util/processIdentity';
import { makeBundle } from '../../tools/factories/bundleFactory';
import { AIRGAP_PASSWORD, deployWorld, type DeployWorld } from '../support/deployWorld';
import { failureOf, succeeded } from '../support/taskResults';

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const APPS = [{ name: 'Customer Portal', producers: ['Customer Core'] }, { name: 'Customer Core' }];

describe('deploy: OSPTool never outlives the task, and no rerun publishes alongside an orphan', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  let toolDir: string;
  const hangPid = (): number => Number(fs.readFileSync(path.join(toolDir, 'osptool-hang.pid'), 'utf8'));
  const published = (): string[] => {
    const file = path.join(toolDir, 'osptool-published.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { name: string }).name);
  };
  const locks = (): string[] => fs.readdirSync(world.share).filter((f) => f.endsWith('.lock'));

  before(function () {
    if (process.platform === 'win32') this.skip(); // POSIX process groups and signals
  });
  beforeEach(async () => {
    world = await deployWorld();
    toolDir = path.dirname(world.osptool);
  });
  afterEach(async () => {
    if (fs.existsSync(path.join(toolDir, 'osptool-hang.pid')) && processAlive(hangPid())) {
      process.kill(-hangPid(), 'SIGKILL');
    }
    await world.close();
  });

  it('a second SIGTERM ends OSPTool first, releases the lock and still reports the result', async () => {
    const bundle = await makeBundle(path.join(world.share, 'second signal'), APPS);
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Core': 'stubborn' } });
    const started = world.start(bundle);
    let out = '';
    started.child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    await waitFor(() => fs.existsSync(path.join(toolDir, 'osptool-hang.pid')), 'OSPTool to start');
    started.child.kill('SIGTERM');
    await waitFor(() => out.includes('SIGTERM ignored'), 'OSPTool to ignore the first SIGTERM');
    started.child.kill('SIGTERM');
    const run = await started.done;

    assert.notEqual(run.exitCode, 0);
    assert.equal(run.result?.status, 'Cancelled', run.stdout);
    assert.match(run.result.message, new RegExp(`OSPTool \\(process ${hangPid()}\\) was ended`));
    assert.match(run.result.message, /deployment lock .* was released/);
    await waitFor(() => !processAlive(hangPid()), 'OSPTool to be gone');
    assert.deepEqual(locks(), [], 'the lock was released');
    assert.deepEqual(published(), []);
  });

  it('the cancel grace running out ends OSPTool first too, and reports it', async () => {
    const bundle = await makeBundle(path.join(world.share, 'grace'), APPS);
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Core': 'stubborn' } });
    // A grace shorter than the runner's own SIGTERM-to-SIGKILL wait, so the grace timer ends the run.
    const started = world.start(bundle, {}, { env: { AIRGAP_CANCEL_GRACE_MS: '500' } });
    await waitFor(() => fs.existsSync(path.join(toolDir, 'osptool-hang.pid')), 'OSPTool to start');
    started.child.kill('SIGTERM');
    const run = await started.done;

    assert.notEqual(run.exitCode, 0);
    assert.equal(run.result?.status, 'Cancelled', run.stdout);
    assert.match(run.result.message, /had not cleaned up within 0\.5 s/);
    assert.match(run.result.message, new RegExp(`OSPTool \\(process ${hangPid()}\\) was ended`));
    await waitFor(() => !processAlive(hangPid()), 'OSPTool to be gone');
    assert.deepEqual(locks(), []);
  });

  it('after a SIGKILL, the rerun refuses while the orphaned OSPTool lives (naming it), then publishes once', async () => {
    const bundle = await makeBundle(path.join(world.share, 'killed hard'), APPS);
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Core': 'hang' } });
    const started = world.start(bundle);
    await waitFor(() => fs.existsSync(path.join(toolDir, 'osptool-hang.pid')), 'OSPTool to start');
    const orphan = hangPid();
    const [lockName] = locks();
    assert.ok(lockName !== undefined);
    const lockFile = path.join(world.share, lockName);
    await waitFor(() => fs.readFileSync(lockFile, 'utf8').includes(`"pid":${orphan}`), 'the lock to name OSPTool');
    started.child.kill('SIGKILL');
    assert.equal((await started.done).signal, 'SIGKILL');
    assert.ok(processAlive(orphan), 'the orphan is still publishing');

    world.control({ expectedPassword: AIRGAP_PASSWORD });
    const callsBefore = world.calls().length;
    const refused = await world.run(bundle);
    assert.match(failureOf(refused), new RegExp(`OSPTool it started \\(process ${orphan}\\) is still publishing`));
    assert.equal(world.calls().length, callsBefore, 'nothing was published beside the orphan');

    process.kill(-orphan, 'SIGKILL');
    await waitFor(() => !processAlive(orphan), 'the orphan to end');
    const rerun = await world.run(bundle);
    succeeded(rerun);
    assert.ok(rerun.warnings.some((w) => /stale deployment lock/.test(w)));
    assert.deepEqual(published(), ['Customer Core', 'Customer Portal'], 'each published exactly once');
    assert.deepEqual(locks(), []);
  });
});
