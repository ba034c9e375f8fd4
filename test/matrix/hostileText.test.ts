/**
 * Agent-command injection: whoever can name an application on the development network, or write
 * a manifest on the share, must not be able to steer the production pipeline. A LifeTime
 * application name, version and change log, a CI/CD Probe answer, a bundle manifest's application
 * and file names, and OSPTool's echo of the package all carry `##vso[` and `##[`; the export, the
 * deploy and the tag sync print them all. The runner parses `##vso[` as the agent does (anywhere
 * in a line) and fails any run that writes a command it did not mean to (commandScan.ts); these
 * tests add the output variables' values and the summaries, and how the text is shown.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE_NAME } from '../../shared/bundle/manifest';
import { hasCommandPrefix } from '../../shared/task/untrusted';
import { makeBundle } from '../../tools/factories/bundleFactory';
import type { TaskRun } from '../../tools/agent/taskRunner';
import { AIRGAP_PASSWORD, deployWorld, type DeployWorld } from '../support/deployWorld';
import { PUBLIC_KEY_PEM, SIGNING_KEY_PEM, exportWorld, type ExportWorld } from '../support/exportWorld';
import { succeeded } from '../support/taskResults';

const APP = 'Payroll ##vso[task.setvariable variable=X]pwned ##[group]fold';
const VERSION = '1.0 ##vso[task.setvariable variable=V]v';
const CHANGE_LOG = 'Fixes\n##vso[task.prependpath]/tmp/attacker\r##[error]fake';
const PRODUCER = 'Payroll Lib ##vso[task.prependpath]/tmp/attacker';
// Cannot be chosen by name (a name list splits on line breaks), so it is exported by a manifest.
const MULTI_LINE = 'Ledger\n##vso[task.setvariable variable=N]after a line break\r\n##[section]fake';

/**
 * What the runner's own scan (commandScan.ts: a command inside a line, on stderr, of a kind the
 * tasks never write, or setting an undeclared variable, each failing the run) cannot see: the
 * output variables' values and the attached summaries, which a later step may echo or copy.
 */
function assertOnlyData(run: TaskRun): void {
  for (const value of Object.values(run.outputVariables)) assert.equal(hasCommandPrefix(value), false, value);
  for (const summary of run.summaries) assert.equal(hasCommandPrefix(summary.content), false, summary.content);
}

describe('hostile text from LifeTime, the Probe, a manifest and OSPTool is never an agent command', function () {
  this.timeout(180_000);
  let dev: ExportWorld;
  let prod: DeployWorld;
  before(async () => {
    dev = await exportWorld(
      [
        { name: PRODUCER, versions: [{ version: '2.0' }], running: { Acceptance: { version: '2.0' } } },
        { name: MULTI_LINE, versions: [{ version: '3.0' }], running: { Acceptance: { version: '3.0' } } },
        {
          name: APP,
          producers: [PRODUCER],
          versions: [{ version: VERSION, changeLog: CHANGE_LOG }],
          running: { Acceptance: { version: VERSION } },
        },
      ],
      { probeKey: 'probe-key-5e1d9a7c3b' },
    );
    prod = await deployWorld();
  });
  after(async () => {
    await dev.close();
    await prod.close();
  });

  it('through export (name, version, change log, Probe answer), signed deploy and tag sync', async () => {
    const exported = await dev.run({
      applications: APP,
      sharePath: prod.share,
      bundleName: 'hostile',
      signingKey: SIGNING_KEY_PEM,
      dependencySource: 'probe',
      probeUrl: dev.emulator.url,
      probeKey: 'probe-key-5e1d9a7c3b',
    });
    succeeded(exported);
    assertOnlyData(exported);
    assert.ok(exported.stdout.includes('Payroll #\u200b#vso[task.setvariable'), 'the name is still shown');
    assert.ok(exported.stdout.includes('Payroll Lib #\u200b#vso[task.prependpath]'), 'the Probe’s producer too');

    const bundle = path.join(prod.share, 'hostile');
    prod.control({ expectedPassword: AIRGAP_PASSWORD });
    const deployed = await prod.run(bundle, { verificationKey: PUBLIC_KEY_PEM });
    succeeded(deployed);
    assertOnlyData(deployed);
    assert.ok(deployed.stdout.includes("Info: Publishing application 'Payroll #\u200b#vso["), 'OSPTool’s echo');
    assert.equal(prod.calls().length, 1);

    const tagged = await prod.runSyncTags(bundle, { verificationKey: PUBLIC_KEY_PEM });
    succeeded(tagged);
    assertOnlyData(tagged);
  });

  it('a name with line breaks, exported by a deployment manifest, deployed and tagged, stays one line', async () => {
    const app = dev.emulator.application(MULTI_LINE);
    const version = dev.emulator.versions(MULTI_LINE)[0];
    assert.ok(app !== undefined && version !== undefined);
    const scope = path.join(dev.share, 'deployment_manifest.cache');
    fs.writeFileSync(
      scope,
      JSON.stringify([
        {
          ApplicationName: MULTI_LINE,
          ApplicationKey: app.key,
          Version: '3.0',
          VersionKey: version.Key,
          IsModified: false,
        },
      ]),
    );
    const exported = await dev.run({ manifestFile: scope, sharePath: prod.share, bundleName: 'multi-line' });
    succeeded(exported);
    assertOnlyData(exported);
    assert.ok(exported.stdout.includes('Ledger\\n#\u200b#vso[task.setvariable variable=N]'), 'shown on one line');

    const bundle = path.join(prod.share, 'multi-line');
    prod.control({ expectedPassword: AIRGAP_PASSWORD });
    const deployed = await prod.run(bundle);
    succeeded(deployed);
    assertOnlyData(deployed);

    const tagged = await prod.runSyncTags(bundle);
    succeeded(tagged);
    assertOnlyData(tagged);
  });

  it('through an unsigned manifest naming a package and a file with commands', async () => {
    const bundle = await makeBundle(path.join(prod.share, 'hand made'), [{ name: APP }]);
    const manifestPath = path.join(bundle, MANIFEST_FILE_NAME);
    const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { applications: { file: string }[] };
    const entry = manifest.applications[0];
    assert.ok(entry !== undefined);
    const hostileFile = 'Payroll ##vso[task.prependpath]attacker-folder.oap';
    fs.renameSync(path.join(bundle, entry.file), path.join(bundle, hostileFile));
    entry.file = hostileFile;
    fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));

    prod.control({ expectedPassword: AIRGAP_PASSWORD });
    const deployed = await prod.run(bundle, { dryRun: 'true' });
    succeeded(deployed);
    assertOnlyData(deployed);
    assert.ok(deployed.stdout.includes('Payroll #\u200b#vso[task.prependpath]attacker-folder.oap'));

    const published = await prod.run(bundle);
    succeeded(published);
    assertOnlyData(published);

    const tagged = await prod.runSyncTags(bundle);
    // Whatever the tag sync concludes about this hand-made bundle, it prints it as data.
    assertOnlyData(tagged);
  });
});
