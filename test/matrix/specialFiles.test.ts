/**
 * A named pipe (or a folder) on the share where the deploy expects a file: the lock, the journal,
 * the manifest, the signature, a package swapped mid-run, the task's own lock swapped after
 * everything was published, and a cancel while the lock is a pipe. An ordinary `open` of a pipe
 * blocks a libuv worker until a writer comes, and nothing ends the task then; each case here must
 * end, Failed naming the file or with a warning naming it, and never hang (the runner would kill a
 * hung run after `timeoutMs`, leaving no result line, which fails the test).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE_NAME, SIGNATURE_FILE_NAME } from '../../shared/bundle/manifest';
import { makeBundle, readManifest } from '../../tools/factories/bundleFactory';
import { PRE_HOSTNAME } from '../../tools/factories/estate';
import { AIRGAP_PASSWORD, deployWorld, type DeployWorld } from '../support/deployWorld';
import { PUBLIC_KEY_PEM, SIGNING_KEYS } from '../support/exportWorld';
import { failureOf, succeeded } from '../support/taskResults';

const APPS = [{ name: 'Customer Portal', producers: ['Customer Core'] }, { name: 'Customer Core' }];
const HUNG = { timeoutMs: 30_000 };

function mkfifo(file: string): void {
  fs.rmSync(file, { force: true, recursive: true });
  execFileSync('mkfifo', [file]);
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('deploy: named pipes and folders on the share never hang the task', function () {
  this.timeout(120_000);
  let world: DeployWorld;
  let bundle: string;
  const lockFile = (): string => `${bundle}.deploy-${PRE_HOSTNAME}.lock`;
  const journalFile = (): string => `${bundle}.deploy-${PRE_HOSTNAME}.journal.json`;
  const packageOf = (name: string): string => {
    const app = readManifest(bundle).applications.find((a) => a.name === name);
    assert.ok(app !== undefined);
    return path.join(bundle, app.file);
  };

  before(function () {
    if (process.platform === 'win32') this.skip(); // mkfifo
  });
  beforeEach(async () => {
    world = await deployWorld();
    bundle = await makeBundle(path.join(world.share, 'release 42'), APPS, { signWith: SIGNING_KEYS.privateKey });
  });
  afterEach(async () => {
    const pidFile = path.join(path.dirname(world.osptool), 'osptool-hang.pid');
    if (fs.existsSync(pidFile)) {
      try {
        process.kill(-Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await world.close();
  });

  it('the lock is a named pipe: Failed naming it, nothing published', async () => {
    mkfifo(lockFile());
    const message = failureOf(await world.run(bundle, {}, HUNG));
    assert.match(message, /deployment lock .*\.lock is a named pipe \(FIFO\), not a lock file/);
    assert.equal(world.calls().length, 0);
  });

  it('a stale lock that is a folder: Failed naming it, no .stale-* folder left', async () => {
    fs.mkdirSync(lockFile());
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(lockFile(), old, old);
    const message = failureOf(await world.run(bundle, {}, HUNG));
    assert.match(message, /deployment lock .*\.lock is a folder, not a lock file/);
    assert.deepEqual(
      fs.readdirSync(world.share).filter((f) => f.includes('.stale-')),
      [],
    );
    assert.equal(world.calls().length, 0);
  });

  it('the journal is a named pipe: ignored with a warning naming it, and the deploy completes', async () => {
    mkfifo(journalFile());
    const run = await world.run(bundle, {}, HUNG);
    succeeded(run);
    assert.ok(
      run.warnings.some((w) => w.includes(journalFile()) && /named pipe/.test(w)),
      run.warnings.join('\n'),
    );
    assert.equal(world.calls().length, 2);
  });

  it('the manifest is a named pipe: Failed naming it', async () => {
    mkfifo(path.join(bundle, MANIFEST_FILE_NAME));
    assert.match(failureOf(await world.run(bundle, {}, HUNG)), /airgap-manifest\.json" is a named pipe \(FIFO\)/);
    assert.equal(world.calls().length, 0);
  });

  it('the signature is a named pipe: Failed naming it', async () => {
    mkfifo(path.join(bundle, SIGNATURE_FILE_NAME));
    const message = failureOf(await world.run(bundle, { verificationKey: PUBLIC_KEY_PEM }, HUNG));
    assert.match(message, /airgap-manifest\.json\.sig" is a named pipe \(FIFO\)/);
    assert.equal(world.calls().length, 0);
  });

  it('a package swapped for a named pipe after the first was published: Failed naming it', async () => {
    const second = packageOf('Customer Portal');
    world.control({ expectedPassword: AIRGAP_PASSWORD, fifoWhilePublishing: { 'Customer Core': second } });
    const message = failureOf(await world.run(bundle, {}, HUNG));
    assert.ok(message.includes(second), message);
    assert.match(message, /is a named pipe \(FIFO\), not a regular file/);
    assert.equal(world.calls().length, 1, 'Customer Core only');
  });

  it('the task’s own lock swapped for a named pipe after all was published: a warning, not a failure', async () => {
    world.control({ expectedPassword: AIRGAP_PASSWORD, fifoWhilePublishing: { 'Customer Portal': lockFile() } });
    const run = await world.run(bundle, {}, HUNG);
    succeeded(run);
    assert.equal(run.result?.status, 'SucceededWithIssues');
    assert.equal(run.outputVariables['deployedCount'], '2');
    assert.ok(
      run.warnings.some((w) => w.includes(lockFile()) && /replaced by a named pipe/.test(w)),
      run.warnings.join('\n'),
    );
  });

  it('a SIGTERM while the lock is a named pipe ends the task, Cancelled', async () => {
    world.control({
      expectedPassword: AIRGAP_PASSWORD,
      failures: { 'Customer Core': 'hang' },
      fifoWhilePublishing: { 'Customer Core': lockFile() },
    });
    const started = world.start(bundle, {}, HUNG);
    const pidFile = path.join(path.dirname(world.osptool), 'osptool-hang.pid');
    await waitFor(() => fs.existsSync(pidFile) && fs.lstatSync(lockFile()).isFIFO(), 'the pipe to replace the lock');
    started.child.kill('SIGTERM');
    const run = await started.done;
    assert.equal(run.timedOut, false);
    assert.equal(run.result?.status, 'Cancelled', run.stdout);
    assert.notEqual(run.exitCode, 0);
  });
});
