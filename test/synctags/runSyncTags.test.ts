/**
 * The tag sync operation called in process, without the task shell, after an in-process deploy to
 * the production emulator: outcomes come back as data, the words for them from report.ts.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runDeploy } from '../../shared/deploy/run';
import { describeTag, syncTagsOutcome, syncTagsSummaryMarkdown } from '../../shared/synctags/report';
import { runSyncTags, type SyncTagsResult } from '../../shared/synctags/run';
import { makeBundle } from '../../tools/factories/bundleFactory';
import { PROD_TOKEN } from '../../tools/factories/estate';
import { deployEnvironment, deployParameters, deployWorld, type DeployWorld } from '../support/deployWorld';
import { lifeTimeClientFor } from '../support/lifeTimeClients';
import { recordingReporter, type RecordingReporter } from '../support/recordingReporter';

describe('runSyncTags, in process', function () {
  this.timeout(60_000);
  let world: DeployWorld;
  let reporter: RecordingReporter;

  beforeEach(async () => {
    world = await deployWorld();
    reporter = recordingReporter();
  });
  afterEach(async () => {
    await world.close();
  });

  async function deployed(apps: { name: string; version: string; producers?: string[] }[]): Promise<string> {
    const bundle = await makeBundle(path.join(world.share, 'release 5'), apps);
    const result = await runDeploy(deployParameters(world, bundle), deployEnvironment(world, recordingReporter()));
    assert.equal(result.failure, undefined);
    return bundle;
  }

  const sync = (bundlePath: string): Promise<SyncTagsResult> =>
    runSyncTags(
      {
        lifeTime: { serverUrl: world.production.url, token: PROD_TOKEN },
        targetEnvironment: 'Pre-Production',
        bundlePath,
      },
      { lifeTime: lifeTimeClientFor(world.production, PROD_TOKEN), reporter, signal: new AbortController().signal },
    );

  it('tags what runs, then finds nothing to do on a rerun', async () => {
    const bundle = await deployed([
      { name: 'Customer Portal', version: '2.3.0', producers: ['Customer Core'] },
      { name: 'Customer Core', version: '1.1.0' },
    ]);
    const first = await sync(bundle);
    assert.deepEqual(
      first.results.map((r) => [r.application.name, r.outcome, r.match?.matchedBy]),
      [
        ['Customer Portal', 'tagged', 'key'],
        ['Customer Core', 'tagged', 'key'],
      ],
    );
    assert.equal(first.taggedCount, 2);
    assert.deepEqual(syncTagsOutcome(first), { message: 'Tagged 2 application version(s) in Pre-Production' });
    assert.equal(world.production.running('Pre-Production', 'Customer Core')?.version, '1.1.0');

    const rerun = await sync(bundle);
    assert.deepEqual(
      rerun.results.map((r) => r.outcome),
      ['already tagged', 'already tagged'],
    );
    assert.deepEqual(
      rerun.results.map((r) => describeTag(r, rerun).note),
      ['nothing to do', 'nothing to do'],
    );
    assert.deepEqual(syncTagsOutcome(rerun), {
      message: 'Tagged 0 application version(s) in Pre-Production, 2 already tagged',
    });
    assert.deepEqual(reporter.warnings, []);
  });

  it('tries every application and returns the one it could not tag as an outcome, not an exception', async () => {
    const deployedBundle = await deployed([{ name: 'Customer Core', version: '1.1.0' }]);
    // A second bundle naming an application PRE never received.
    const bundle = await makeBundle(path.join(world.share, 'release 6'), [
      { name: 'Customer Core', version: '1.1.0' },
      { name: 'Ghost', version: '1.0.0' },
    ]);
    assert.notEqual(bundle, deployedBundle);
    const result = await sync(bundle);
    assert.deepEqual(
      result.results.map((r) => r.outcome),
      ['tagged', 'failed'],
    );
    const ghost = result.results[1];
    assert.ok(ghost?.outcome === 'failed');
    assert.equal(ghost.why, 'unknown application');
    const verdict = syncTagsOutcome(result);
    assert.equal(verdict.failed, true);
    assert.match(
      verdict.message,
      /^1 of 2 application\(s\) could not be tagged in "Pre-Production" \(LifeTime http:\/\/127\.0\.0\.1:\d+\): "Ghost": no application with key .* or name "Ghost" in LifeTime .*; was it deployed to Pre-Production\?$/,
    );
    assert.match(
      syncTagsSummaryMarkdown(result),
      /\| Ghost \| 1\.0\.0 \| failed \|  \| unknown to this LifeTime; was it deployed to Pre-Production\? \|/,
    );
  });
});
