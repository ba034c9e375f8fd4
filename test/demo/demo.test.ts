/**
 * `npm run demo`, as a person runs it: the compiled demo script in a child process, against the
 * packaged .vsix (the one in dist/ when it is at least as new as the build, otherwise one packaged
 * here into a temp folder), must exit 0 having published producers first and created the tags.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { distDir, extensionStageDir, repoRoot } from '../../tools/paths';

const TASKS = ['AirGapExport', 'AirGapDeploy', 'AirGapSyncTags', 'AirGapPromote'];

/** A .vsix in dist/ written after the build's task bundles, or undefined. */
function currentVsixInDist(): string | undefined {
  const built = TASKS.flatMap((t) => ['index.js', 'task.json'].map((f) => path.join(extensionStageDir, 'tasks', t, f)));
  const buildTime = Math.max(...built.map((f) => fs.statSync(f).mtimeMs));
  if (!fs.existsSync(distDir)) return undefined;
  return fs
    .readdirSync(distDir)
    .filter((name) => name.endsWith('.vsix'))
    .map((name) => path.join(distDir, name))
    .filter((file) => fs.statSync(file).mtimeMs >= buildTime)
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
}

/** The applications and versions the demo releases, in the order it prints them. */
const RELEASED = [
  ['Customer Core', '1.1.0'],
  ['Customer Portal', '2.3.0'],
  ['Backoffice', '0.9.1'],
  ['Reporting', '3.1'],
] as const;

describe('npm run demo (the packaged tasks, end to end, offline)', function () {
  this.timeout(120_000);
  let temp: string;
  let out: string;
  let stdout: string;
  let status: number | null;

  before(() => {
    for (const task of TASKS) {
      assert.ok(
        fs.existsSync(path.join(extensionStageDir, 'tasks', task, 'index.js')),
        `build/extension/tasks/${task}/index.js exists: run \`npm run build\` before this test`,
      );
    }
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'airgap-demo-test-'));
    let vsix = currentVsixInDist();
    if (vsix === undefined) {
      const packaged = spawnSync(
        process.execPath,
        [path.join(repoRoot, 'build', 'tsc', 'scripts', 'package-extension.js'), '--output-path', temp],
        { cwd: repoRoot, encoding: 'utf8' },
      );
      assert.equal(packaged.status, 0, `package script failed:\n${packaged.stdout}${packaged.stderr}`);
      vsix = packaged.stdout.trim().split('\n').pop() ?? '';
      vsix = path.resolve(repoRoot, vsix);
    }
    out = path.join(temp, 'demo');
    const demo = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'build', 'tsc', 'scripts', 'demo.js'), '--out', out, '--vsix', vsix],
      { cwd: repoRoot, encoding: 'utf8', timeout: 90_000 },
    );
    stdout = demo.stdout;
    status = demo.status;
    assert.equal(status, 0, `demo exited ${String(status)}:\n${demo.stdout}\n${demo.stderr}`);
  });

  after(() => {
    fs.rmSync(temp, { recursive: true, force: true });
  });

  it('runs the four tasks from the unpacked .vsix, not from the build', () => {
    assert.match(
      stdout,
      new RegExp(`Unpacked into ${path.join(out, 'extension').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}`),
    );
    for (const task of TASKS) assert.ok(fs.existsSync(path.join(out, 'extension', 'tasks', task, 'index.js')), task);
    assert.match(stdout, /AirGapExport finished in [\d.]+ s: Succeeded/);
    assert.match(stdout, /AirGapDeploy finished in [\d.]+ s: Succeeded/);
    assert.match(stdout, /AirGapSyncTags finished in [\d.]+ s: Succeeded/);
    assert.match(stdout, /AirGapPromote finished in [\d.]+ s: Succeeded/);
  });

  it('promotes the same versions to Production through one deployment plan, after the tag sync', () => {
    assert.ok(stdout.indexOf('AirGapSyncTags finished') < stdout.indexOf('AirGapPromote finished'));
    assert.match(stdout, /Deployment plan [0-9a-f-]{36}: finished_successful, 1 plan\(s\) in the production LifeTime/);
    for (const [name, version] of RELEASED) {
      const v = version.replace(/\./g, '\\.');
      assert.match(stdout, new RegExp(`^  ${name} +${v} +runs ${v}$`, 'm'));
    }
  });

  it('shows the logs readably: groups as headings, no raw logging commands', () => {
    assert.match(stdout, /▸ Publish Customer Core 1\.1\.0/);
    assert.match(stdout, /Bundle verified: 4 package\(s\).*signature verified/);
    assert.ok(!stdout.includes('##vso['), 'no ##vso command is printed raw');
    assert.ok(!stdout.includes('##['), 'no ##[ formatting is printed raw');
    assert.ok(!stdout.includes('demo-only pre-production password'), 'the password is never printed');
  });

  it('deploys producers first: Customer Core, then Customer Portal, then Backoffice', () => {
    const line = /Deployment order \(producers first\): (.*)/.exec(stdout)?.[1] ?? '';
    const order = line.split(' → ');
    assert.equal(order.length, 4, line);
    const at = (name: string): number => order.indexOf(name);
    assert.ok(at('Customer Core') >= 0 && at('Customer Core') < at('Customer Portal'), line);
    assert.ok(at('Customer Portal') < at('Backoffice'), line);
    assert.ok(order.includes('Reporting'), line);
  });

  it('reads the created tags back from the production LifeTime, each running unmodified in PRE', () => {
    for (const [name, version] of RELEASED) {
      assert.match(
        stdout,
        new RegExp(`^  ${name} +${version.replace(/\./g, '\\.')} .* runs ${version.replace(/\./g, '\\.')}$`, 'm'),
      );
    }
    assert.match(stdout, /Demo succeeded in [\d.]+ s/);
  });

  it('leaves the logs, summaries, keys and bundle in the output folder', () => {
    for (const file of ['export', 'deploy', 'synctags', 'promote']) {
      assert.ok(fs.statSync(path.join(out, 'logs', `${file}.log`)).size > 0, `${file}.log`);
      assert.match(fs.readFileSync(path.join(out, 'summaries', `${file}.md`), 'utf8'), /^\| .* \|$/m, `${file}.md`);
    }
    for (const key of ['private.pem', 'public.pem']) assert.ok(fs.existsSync(path.join(out, 'keys', key)), key);
    const bundle = path.join(out, 'share', 'release-20261128.1');
    assert.ok(fs.existsSync(path.join(bundle, 'airgap-manifest.json.sig')), 'the bundle is signed');
  });
});
