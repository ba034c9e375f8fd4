/**
 * The deploy operation called in process, without the task shell: a real bundle on a share, the
 * OSPTool stand-in as a real child process, a recording reporter. A failed package comes back as
 * the result's `failure`, with the outcomes so far; the end-to-end tests in test/e2e run the same
 * operation through the bundled task.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { DeployParameters } from '../../shared/deploy/parameters';
import { deployOutcome, deploySummaryMarkdown, deploySummaryTitle } from '../../shared/deploy/report';
import { runDeploy } from '../../shared/deploy/run';
import { makeBundle } from '../../tools/factories/bundleFactory';
import {
  AIRGAP_PASSWORD,
  deployEnvironment,
  deployParameters,
  deployWorld,
  type DeployWorld,
} from '../support/deployWorld';
import { recordingReporter, type RecordingReporter } from '../support/recordingReporter';

const CHAIN = [
  { name: 'Backoffice', producers: ['Customer Portal'] },
  { name: 'Customer Portal', producers: ['Customer Core'] },
  { name: 'Customer Core' },
];

describe('runDeploy, in process', function () {
  this.timeout(60_000);
  let world: DeployWorld;
  let bundle: string;
  let reporter: RecordingReporter;
  let toolLines: string[];

  beforeEach(async () => {
    world = await deployWorld();
    bundle = await makeBundle(path.join(world.share, 'release 9'), CHAIN);
    reporter = recordingReporter();
    toolLines = [];
  });
  afterEach(async () => {
    await world.close();
  });

  const params = (overrides: Partial<DeployParameters> = {}) => deployParameters(world, bundle, overrides);
  const env = () => deployEnvironment(world, reporter, toolLines);
  const outcomes = (result: { packages: { application: { name: string }; outcome: string }[] }) =>
    result.packages.map((p) => `${p.application.name}: ${p.outcome}`);

  it('plans producers first on a dry run and publishes nothing', async () => {
    const result = await runDeploy(params({ dryRun: true }), env());
    assert.deepEqual(outcomes(result), ['Customer Core: planned', 'Customer Portal: planned', 'Backoffice: planned']);
    assert.equal(result.failure, undefined);
    assert.equal(world.calls().length, 0);
    assert.equal(deploySummaryTitle(result), 'OutSystems air gap deploy (dry run)');
    assert.deepEqual(deployOutcome(result), {
      message: 'Dry run: bundle verified, 3 package(s) planned, nothing published',
    });
    assert.ok(reporter.lines.includes('Dry run: nothing was published.'), reporter.lines.join('\n'));
  });

  it('returns a failed package as data, with the outcomes so far, and a rerun resumes at it', async () => {
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Portal': 'error-text' } });
    const first = await runDeploy(params(), env());
    assert.deepEqual(first.failure, { kind: 'package failed', position: 2 });
    assert.deepEqual(outcomes(first), [
      'Customer Core: published',
      'Customer Portal: failed',
      'Backoffice: not started',
    ]);
    assert.equal(first.publishedCount, 1);
    assert.match(first.packages[1]?.failureReason ?? '', /Outdated Consumer/);
    const verdict = deployOutcome(first);
    assert.equal(verdict.failed, true);
    assert.match(
      verdict.message,
      /^publishing "Customer Portal" 1\.0\.0 to preprod\.example\.com failed: OSPTool .*Outdated Consumer.*\. Packages after it were not published; a rerun resumes at "Customer Portal"$/,
    );
    assert.equal(deploySummaryTitle(first), 'OutSystems air gap deploy (failed)');
    assert.match(deploySummaryMarkdown(first), /\| 2 \| Customer Portal \| 1\.0\.0 \| failed \|/);
    assert.deepEqual(reporter.groups, ['Publish Customer Core 1.0.0', 'Publish Customer Portal 1.0.0']);
    assert.ok(toolLines.length > 0, 'OSPTool output reached the tool-line sink');
    assert.ok(toolLines.every((l) => !l.includes(AIRGAP_PASSWORD)));

    world.control({ expectedPassword: AIRGAP_PASSWORD });
    const rerun = await runDeploy(params(), env());
    assert.equal(rerun.failure, undefined);
    assert.deepEqual(outcomes(rerun), [
      'Customer Core: already published',
      'Customer Portal: published',
      'Backoffice: published',
    ]);
    assert.deepEqual(deployOutcome(rerun), {
      message:
        'Published 2 package(s) to preprod.example.com, 1 already published earlier (judged by the deploy journal alone: no lifeTimeConnection checked the target)',
    });
    assert.equal(world.calls().length, 4, 'Customer Core was not published twice');
  });

  it('says how long OSPTool was given, in the words the timeout was set in', async () => {
    world.control({ expectedPassword: AIRGAP_PASSWORD, failures: { 'Customer Core': 'hang' } });
    const result = await runDeploy(params({ timeoutMinutes: 0.02 }), env());
    assert.deepEqual(result.failure, { kind: 'package failed', position: 1 });
    assert.equal(result.packages[0]?.failureReason, 'OSPTool did not finish within 0.02 minute(s) and was stopped.');
    assert.deepEqual(outcomes(result).slice(1), ['Customer Portal: not started', 'Backoffice: not started']);
  });
});
