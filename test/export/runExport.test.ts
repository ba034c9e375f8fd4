/**
 * The export operation called in process, without the task shell: real LifeTime client and HTTP
 * layer against the emulator, a real share, a recording reporter. The end-to-end tests in
 * test/e2e run the same operation through the bundled task.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExportParameters } from '../../shared/export/parameters';
import { exportOutcome, exportSummaryMarkdown } from '../../shared/export/report';
import { runExport, type ExportEnvironment } from '../../shared/export/run';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { DEV_TOKEN, developmentEstate } from '../../tools/factories/estate';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { lifeTimeClientFor } from '../support/lifeTimeClients';
import { recordingReporter, type RecordingReporter } from '../support/recordingReporter';

describe('runExport, in process', function () {
  this.timeout(60_000);
  let emulator: LifeTimeEmulator;
  let share: string;
  let reporter: RecordingReporter;

  before(async () => {
    emulator = await LifeTimeEmulator.start(developmentEstate());
  });
  after(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    share = makeTempDir({ prefix: 'airgap-share-', withSpaces: true });
    reporter = recordingReporter();
  });
  afterEach(() => removeTempDir(share));

  const params = (names: string[], sourceEnvironment = 'Acceptance'): ExportParameters => ({
    lifeTime: { serverUrl: emulator.url, token: DEV_TOKEN },
    sourceEnvironment,
    scope: { kind: 'names', names },
    sharePath: share,
    bundleName: 'release 1',
    dependencySource: { kind: 'packages' },
    friendlyPackageNames: false,
    parallelism: 2,
  });
  const env = (): ExportEnvironment => ({
    lifeTime: lifeTimeClientFor(emulator, DEV_TOKEN),
    reporter,
    pipeline: { buildNumber: 'release 1' },
    taskVersion: '1.0.0',
    signal: new AbortController().signal,
  });

  it('returns the bundle as data: packages producers first, the manifest written, progress reported', async () => {
    const result = await runExport(params(['Customer Portal', 'Customer Core']), env());
    assert.equal(result.bundlePath, path.join(share, 'release 1'));
    const nameOf = new Map(result.packages.map((p) => [p.key, p.name]));
    assert.deepEqual(
      result.manifest.deploymentOrder.map((k) => nameOf.get(k)),
      ['Customer Core', 'Customer Portal'],
    );
    assert.deepEqual(
      result.packages.map((p) => [p.name, p.position, p.producerNames]),
      [
        ['Customer Portal', 2, ['Customer Core']],
        ['Customer Core', 1, []],
      ],
    );
    assert.deepEqual(result.manifest.externalRequirements.map((r) => r.name).sort(), [
      'Service Center',
      'System Components',
    ]);
    for (const p of result.packages) {
      assert.equal(fs.statSync(path.join(result.bundlePath, p.file)).size, p.size);
    }
    assert.ok(fs.existsSync(path.join(result.bundlePath, 'airgap-manifest.json')));
    assert.deepEqual(result.warnings, []);
    assert.deepEqual(reporter.warnings, []);
    assert.equal(reporter.progressReports.at(-1)?.percent, 100);
    assert.deepEqual(exportOutcome(result), {
      message: `Exported 2 application(s) to ${path.join(share, 'release 1')}`,
    });
    assert.match(exportSummaryMarkdown(result), /\| 1 \| Customer Core \| 1\.1\.0 \|/);
    assert.match(exportSummaryMarkdown(result), /- Not signed/);
  });

  it('warns, and says so in the result, when the source runs code changed since the tag', async () => {
    const result = await runExport(params(['Customer Core'], 'Development'), env());
    const core = result.packages[0];
    assert.equal(core?.version, '1.1.0');
    assert.notEqual(core.modifiedSinceTag, undefined);
    assert.equal(reporter.warnings.length, 1);
    assert.match(
      reporter.warnings[0] ?? '',
      /"Customer Core" in "Development" runs code that differs from its tag 1\.1\.0/,
    );
    assert.deepEqual(result.warnings, reporter.warnings);
  });

  it('refuses an unknown name with the case hint, before anything is written to the share', async () => {
    await assert.rejects(runExport(params(['customer portal', 'Backoffice']), env()), (error: Error) => {
      assert.equal(
        error.message,
        `application "customer portal" not found; did you mean "Customer Portal"? Names are case-sensitive (LifeTime ${emulator.url})`,
      );
      return true;
    });
    assert.deepEqual(fs.readdirSync(share), []);
  });
});
