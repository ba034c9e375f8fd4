/**
 * Two exports racing for one bundleName: exactly one wins, the other fails naming the bundle, and
 * the bundle on the share is wholly the winner's. (Two deploys of one bundle to one target at
 * once are in test/e2e/deploy.test.ts: the second refuses on the deploy lock.)
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { verifyBundle } from '../../shared/bundle/verify';
import { exportWorld, type ExportWorld } from '../support/exportWorld';
import type { TaskRun } from '../../tools/agent/taskRunner';
import { snapshot } from '../support/snapshot';
import { FAST_HTTP } from './matrixSupport';
import { eachTest } from '../support/eachTest';

const SCOPES = ['Reporting', 'Customer Core, Customer Portal'];

describe('concurrency: two exports racing for one bundleName', function () {
  this.timeout(120_000);
  let world: ExportWorld;
  eachTest(
    () => exportWorld([], { shareWithSpaces: false }),
    (w) => (world = w),
  );

  it('lets exactly one win; the other fails clearly and nothing is mixed', async () => {
    // Both downloads are held for a while, so both exports are staging at the same time.
    world.emulator.injectFault({ path: '/downloads/', kind: 'latency', ms: 3000, times: 3 });
    let overlapped = false;
    const watcher = setInterval(() => {
      const partials = snapshot(world.share).filter((f) => /^\.race\.partial-[0-9a-f]+\/$/.test(f));
      if (partials.length >= 2) overlapped = true;
    }, 20);
    let runs: TaskRun[];
    try {
      runs = await Promise.all(
        SCOPES.map(
          (applications) =>
            world.start({ applications, bundleName: 'race', downloadParallelism: '1' }, { env: FAST_HTTP }).done,
        ),
      );
    } finally {
      clearInterval(watcher);
    }
    assert.ok(overlapped, 'both exports were staging at once');
    const statuses = runs.map((r) => r.result?.status);
    const winner = statuses.indexOf('Succeeded');
    const loser = statuses.indexOf('Failed');
    assert.ok(winner >= 0 && loser >= 0, `one wins, one fails: ${JSON.stringify(statuses)}`);
    assert.match(
      runs[loser]?.result?.message ?? '',
      /race (already exists|appeared on the share while this export was running)/,
    );

    const bundle = path.join(world.share, 'race');
    const verified = await verifyBundle(bundle);
    const names = verified.packages.map((p) => p.application.name).sort();
    const expected = (SCOPES[winner] ?? '').split(', ').sort();
    assert.deepEqual(names, expected, "the bundle is wholly the winner's");
    assert.equal(runs[winner]?.outputVariables.bundlePath, bundle);
    assert.equal(runs[loser]?.outputVariables.bundlePath, undefined, 'the loser reports no bundle');
    assert.deepEqual(
      snapshot(world.share).filter((f) => !f.startsWith('race/')),
      [],
      'no temporary folder left by either',
    );
  });
});
