/**
 * The Windows lane (`npm run test:windows`): the bundled tasks run by Windows Node 20 under Wine,
 * as a Windows agent runs them, with the native OSPTool stand-in. What Wine cannot show is listed
 * in the README (Windows lane).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PRE_HOSTNAME } from '../../tools/factories/estate';
import { makeBundle, readManifest } from '../../tools/factories/bundleFactory';
import { failureOf, succeeded } from '../support/taskResults';
import { windowsPath } from '../../tools/runtimes/wine';
import { STOP_DEADLINE_MS } from '../../shared/osptool/runner';
import { WINDOWS_PASSWORD, WINDOWS_USER, windowsWorld, type WindowsWorld } from './windowsWorld';

const ACCENTED_LINE = "Info: Publishing application 'Gestão Clínica'...";

describe('Windows lane: the bundled tasks under Windows Node 20 (Wine)', function () {
  if (process.env['AIRGAP_WINDOWS_LANE'] !== '1') return; // npm run test:windows sets it
  this.timeout(180_000);
  let world: WindowsWorld;
  before(async () => {
    world = await windowsWorld();
  });
  after(async () => {
    await world.close();
  });

  it('exports to a share on a Windows path with spaces', async () => {
    const run = await world.run('AirGapExport', {
      sourceEnvironment: 'Acceptance',
      applications: 'Customer Portal, Customer Core',
      sharePath: windowsPath(world.share),
      bundleName: 'release 12',
      friendlyPackageNames: 'true',
    });
    succeeded(run);
    const bundle = path.join(world.share, 'release 12');
    assert.equal(run.outputVariables.bundlePath, windowsPath(bundle));
    assert.equal(run.outputVariables.applicationCount, '2');
    assert.deepEqual(
      readManifest(bundle)
        .applications.map((a) => a.name)
        .sort(),
      ['Customer Core', 'Customer Portal'],
    );
  });

  it('publishes each package, handing OSPTool the arguments byte-exact and reading its CRLF, code page 850 output', async () => {
    const bundle = path.join(world.share, 'release 12');
    world.control('ok');
    const run = await world.run('AirGapDeploy', world.deployInputs(bundle));
    succeeded(run);
    assert.equal(run.outputVariables.deployedCount, '2');
    const calls = world.calls();
    assert.equal(calls.length, 2);
    for (const call of calls) {
      const [verb, packagePath, ...rest] = call;
      assert.equal(verb, '/Publish');
      assert.deepEqual(rest, [PRE_HOSTNAME, WINDOWS_USER, WINDOWS_PASSWORD], 'host, user and password unchanged');
      // The private copy in the agent's temp folder: a drive letter, backslashes and spaces.
      assert.match(packagePath ?? '', /^[A-Z]:\\.* .*\\[^\\]+\.oap$/);
    }
    // Windows Node ends the task's own lines with CRLF (os.EOL); OSPTool's CR must not ride along.
    const lines = run.stdout.split(/\r?\n/);
    assert.ok(lines.includes(`  ${ACCENTED_LINE}`), 'the accented name read in code page 850');
    assert.deepEqual(
      lines.filter((line) => line.includes('\r')),
      [],
      'no carriage return left inside a line',
    );
    // The journal is beside the bundle on the share, the lock gone once the run ended.
    const siblings = fs.readdirSync(world.share);
    assert.ok(siblings.includes(`release 12.deploy-${PRE_HOSTNAME}.journal.json`), siblings.join(', '));
    assert.ok(!siblings.some((name) => name.endsWith('.lock')), siblings.join(', '));
  });

  it('syncs the version tags from a bundle on a Windows path', async () => {
    const bundle = path.join(world.share, 'release 12');
    // What the real OSPTool's publication does to the production LifeTime's view of PRE.
    for (const app of readManifest(bundle).applications) {
      const response = await fetch(`${world.production.url}/__emulator/published`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ hostName: PRE_HOSTNAME, uid: app.uid, name: app.name }),
      });
      assert.ok(response.ok, `the emulator answered ${response.status}`);
    }
    const run = await world.run('AirGapSyncTags', {
      targetEnvironment: 'Pre-Production',
      bundlePath: windowsPath(bundle),
    });
    succeeded(run);
    assert.equal(run.outputVariables.taggedCount, '2');
  });

  describe('failures stop at the package, and a rerun resumes', () => {
    let bundle: string;
    before(async () => {
      bundle = await makeBundle(path.join(world.share, 'release 13'), [
        { name: 'Customer Portal', producers: ['Customer Core'] },
        { name: 'Customer Core' },
      ]);
    });

    it('fails on exit code 1, naming the application, in one sentence per full stop', async () => {
      const before = world.calls().length;
      world.control('exit');
      const message = failureOf(await world.run('AirGapDeploy', world.deployInputs(bundle)));
      assert.match(message, /"Customer Core" .*exited with code 1\. Packages after it were not published/);
      assert.equal(world.calls().length - before, 1, 'nothing published after the failed package');
    });

    it('fails on an error text with exit code 0, the accented line shown right', async () => {
      world.control('error-text');
      const run = await world.run('AirGapDeploy', world.deployInputs(bundle));
      assert.match(failureOf(run), /"Customer Core" .*Outdated Consumer/);
      assert.ok(run.stdout.includes("Warning: Outdated Consumer - 'Gestão Clínica' references"), run.stdout);
    });

    it('resumes after the package that failed', async () => {
      world.control('ok', 'exit');
      const first = await world.run('AirGapDeploy', world.deployInputs(bundle));
      assert.match(failureOf(first), /"Customer Portal"/);
      assert.equal(first.outputVariables.deployedCount, '1');
      const before = world.calls().length;
      world.control('ok');
      const rerun = await world.run('AirGapDeploy', world.deployInputs(bundle));
      succeeded(rerun);
      assert.match(rerun.stdout, /Customer Core 1\.0\.0: already published/);
      assert.equal(world.calls().length - before, 1, 'only Customer Portal published again');
    });
  });

  describe('a hanging OSPTool', () => {
    const timeoutMinutes = 0.05;
    // A bound, not a timing: the run ended rather than hanging (it never ended before the fix).
    const bound = timeoutMinutes * 60_000 + STOP_DEADLINE_MS + 20_000;

    for (const mode of ['hang', 'hang-helper'] as const) {
      it(`ends Failed naming the timeout (${mode === 'hang' ? 'alone' : 'a helper holds the pipes'})`, async () => {
        const bundle = await makeBundle(path.join(world.share, `stuck ${mode}`), [{ name: 'Customer Core' }]);
        world.control(mode);
        const started = Date.now();
        const run = await world.run(
          'AirGapDeploy',
          { ...world.deployInputs(bundle), timeoutMinutes: String(timeoutMinutes) },
          { timeoutMs: 120_000 },
        );
        const elapsed = Date.now() - started;
        assert.equal(run.timedOut, false, 'the task ended by itself');
        assert.match(failureOf(run), /"Customer Core" .* within 0\.05 minute\(s\) and was stopped/);
        assert.ok(elapsed < bound, `the deploy took ${elapsed} ms, more than ${bound} ms`);
        const helperPid = path.join(path.dirname(world.osptool), 'osptool-helper.pid');
        if (mode === 'hang-helper') assert.ok(fs.existsSync(helperPid), 'the stand-in started its helper');
      });
    }

    it('is stopped when the task is cancelled, and the run ends Cancelled', async () => {
      const bundle = await makeBundle(path.join(world.share, 'cancelled'), [{ name: 'Customer Core' }]);
      world.control('hang');
      const before = world.calls().length;
      const started = world.start('AirGapDeploy', world.deployInputs(bundle));
      const deadline = Date.now() + 60_000;
      while (world.calls().length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // While it runs, its lock is beside the bundle on the share.
      assert.ok(fs.readdirSync(world.share).includes(`cancelled.deploy-${PRE_HOSTNAME}.lock`));
      // Wine turns SIGINT into the Ctrl+C event the agent sends a Windows task to cancel it.
      started.child.kill('SIGINT');
      const run = await started.done;
      assert.equal(run.result?.status, 'Cancelled', `${run.stdout}\n${run.stderr}`);
    });
  });
});
