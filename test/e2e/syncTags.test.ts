import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { EmulatorApplicationSpec } from '../../tools/emulator/spec';
import { PROD_TOKEN } from '../../tools/factories/estate';
import { makeBundle } from '../../tools/factories/bundleFactory';
import type { BundleAppSpec } from '../../tools/factories/bundleFactory';
import { runBundledTask } from '../../tools/agent/taskRunner';
import type { TaskRun } from '../../tools/agent/taskRunner';
import { deployWorld, type DeployWorld } from '../support/deployWorld';
import { failureOf, succeeded } from '../support/taskResults';

const APPS: BundleAppSpec[] = [
  {
    name: 'Customer Portal',
    version: '2.3.0',
    producers: ['Customer Core'],
    changeLog: 'Self-service address change.',
  },
  { name: 'Customer Core', version: '1.1.0', changeLog: 'Adds consent records.' },
];

interface TagWorld {
  world: DeployWorld;
  bundle: string;
  sync(inputs?: Record<string, string>, token?: string): Promise<TaskRun>;
  posts(): number;
}

/** A bundle deployed to PRE by the deploy task and the OSPTool stand-in, ready for tagging. */
async function deployed(
  apps: BundleAppSpec[] = APPS,
  productionApps: EmulatorApplicationSpec[] = [],
  deploy = true,
): Promise<TagWorld> {
  const world = await deployWorld(productionApps);
  const bundle = await makeBundle(path.join(world.share, 'release 42'), apps);
  if (deploy) succeeded(await world.run(bundle));
  return {
    world,
    bundle,
    sync: (inputs = {}, token = PROD_TOKEN) =>
      runBundledTask('AirGapSyncTags', {
        inputs: { targetEnvironment: 'Pre-Production', bundlePath: bundle, ...inputs },
        connection: { url: world.production.url, token },
      }),
    posts: () => world.production.requests.filter((r) => r.method === 'POST' && r.path.includes('/versions')).length,
  };
}

describe('OutSystemsAirGapSyncTags (bundled task, after the deploy task)', function () {
  this.timeout(120_000);
  let t: TagWorld | undefined;
  afterEach(async () => {
    await t?.world.close();
    t = undefined;
  });

  it('tags what the deploy put in PRE with the bundle versions and change logs, and a rerun is a no-op', async () => {
    t = await deployed();
    const run = await t.sync();
    succeeded(run);
    assert.equal(run.result?.status, 'Succeeded');
    assert.equal(run.outputVariables.taggedCount, '2');
    const production = t.world.production;
    for (const app of APPS) {
      const running = production.running('Pre-Production', app.name);
      assert.ok(running);
      assert.equal(running.version, app.version, `${app.name} runs its tag`);
      assert.equal(running.modified, false);
      const tag = production.versions(app.name).find((v) => v.Version === app.version);
      assert.ok(tag);
      assert.equal(tag.ChangeLog, app.changeLog);
    }
    assert.match(run.stdout, /matched by key/);
    assert.match(run.summaries[0]?.content ?? '', /\| Customer Portal \| 2\.3\.0 \| tagged \| key \|/);

    const postsBefore = t.posts();
    const rerun = await t.sync();
    assert.equal(rerun.result?.status, 'Succeeded');
    assert.equal(rerun.outputVariables.taggedCount, '0');
    assert.equal(t.posts(), postsBefore, 'no POST on the rerun');
    assert.match(rerun.stdout, /already tagged/);
  });

  it('tags mobile versions when the bundle carries them', async () => {
    t = await deployed([
      {
        name: 'Field App',
        version: '4.0.0',
        mobileVersions: [{ NativePlatform: 'Android', VersionNumber: '4.0.0', VersionDescription: 'Store build' }],
      },
    ]);
    succeeded(await t.sync());
    const tag = t.world.production.versions('Field App').find((v) => v.Version === '4.0.0');
    assert.deepEqual(
      tag?.MobileVersions?.map((m) => [m.NativePlatform, m.VersionNumber]),
      [['Android', '4.0.0']],
    );
  });

  it('matches by name when production knows the application under another key', async () => {
    t = await deployed(
      [{ name: 'Customer Core', version: '1.1.0' }],
      [
        {
          name: 'Customer Core',
          key: '0f0e0d0c-0b0a-4909-8807-060504030201',
          versions: [{ version: '1.0.0' }],
          running: { 'Pre-Production': { version: '1.0.0' } },
        },
      ],
    );
    const run = await t.sync();
    succeeded(run);
    assert.match(run.stdout, /matched by name \(LifeTime key 0f0e0d0c-0b0a-4909-8807-060504030201\)/);
    assert.equal(t.world.production.running('Pre-Production', 'Customer Core')?.version, '1.1.0');
  });

  it('skips, with a warning, an application whose tag in PRE is already higher', async () => {
    t = await deployed(
      [{ name: 'Reporting', version: '3.1' }],
      [{ name: 'Reporting', versions: [{ version: '3.10' }], running: { 'Pre-Production': { version: '3.10' } } }],
    );
    const run = await t.sync();
    assert.equal(run.result?.status, 'SucceededWithIssues');
    assert.ok(run.warnings.some((w) => w.includes('"Reporting"') && w.includes('higher tag 3.10')));
    assert.equal(t.posts(), 0);
  });

  it('tries every application, then fails naming the one that was not deployed', async () => {
    t = await deployed(APPS, [], false);
    // Only Customer Core reaches PRE.
    const core = await makeBundle(path.join(t.world.share, 'core only'), [APPS[1] as BundleAppSpec]);
    succeeded(await t.world.run(core));
    const run = await t.sync();
    const message = failureOf(run);
    assert.match(message, /"Customer Portal"/);
    assert.match(message, /was it deployed to Pre-Production\?/);
    assert.equal(
      t.world.production.running('Pre-Production', 'Customer Core')?.version,
      '1.1.0',
      'the other app was tagged',
    );
    assert.match(run.summaries[0]?.content ?? '', /\| Customer Portal \| 2\.3\.0 \| failed \|/);
  });

  it('fails on an unknown environment, listing those that exist', async () => {
    t = await deployed();
    const message = failureOf(await t.sync({ targetEnvironment: 'PRE' }));
    assert.match(message, /PRE/);
    assert.match(message, /Pre-Production/);
    assert.equal(t.posts(), 0);
  });

  for (const status of [403, 500]) {
    it(`reports a ${status} on the tag POST for that application, without repeating the POST`, async () => {
      t = await deployed();
      t.world.production.injectFault({ method: 'POST', path: '/versions', kind: 'status', status, times: 1 });
      const run = await t.sync();
      const message = failureOf(run);
      assert.match(message, /"Customer Portal"|"Customer Core"/);
      assert.match(message, new RegExp(String(status)));
      assert.equal(t.posts(), 2, 'one POST per application, none repeated');
    });
  }

  it('reads the state again after a connection lost mid-POST instead of tagging twice', async () => {
    t = await deployed([APPS[1] as BundleAppSpec]);
    t.world.production.injectFault({ method: 'POST', path: '/versions', kind: 'reset-after-request' });
    const run = await t.sync();
    succeeded(run);
    assert.equal(t.posts(), 1, 'the POST was not repeated');
    const tags = t.world.production.versions('Customer Core').filter((v) => v.Version === '1.1.0');
    assert.equal(tags.length, 1);
  });

  it('fails on a bad token without printing either token', async () => {
    t = await deployed();
    const run = await t.sync({}, 'wrong-token-0123456789');
    assert.match(failureOf(run), /401|token/i);
  });
});

describe('OutSystemsAirGapSyncTags for an application production knows but PRE does not run', function () {
  this.timeout(120_000);
  it('fails naming it and asking whether it was deployed to PRE', async () => {
    const world = await deployWorld([
      { name: 'Customer Core', versions: [{ version: '1.0.0' }], running: { Production: { version: '1.0.0' } } },
    ]);
    try {
      const bundle = await makeBundle(path.join(world.share, 'not deployed'), [APPS[1] as BundleAppSpec]);
      const run = await runBundledTask('AirGapSyncTags', {
        inputs: { targetEnvironment: 'Pre-Production', bundlePath: bundle },
        connection: { url: world.production.url, token: PROD_TOKEN },
      });
      const message = failureOf(run);
      assert.match(message, /"Customer Core": not running in Pre-Production; was it deployed to Pre-Production\?/);
      assert.equal(world.production.requests.filter((r) => r.method === 'POST').length, 0);
    } finally {
      await world.close();
    }
  });
});

describe('OutSystemsAirGapSyncTags when PRE was published again after tagging', function () {
  this.timeout(120_000);
  it('is still a no-op for the taken version number, warning that PRE changed since the tag', async () => {
    const world = await deployWorld();
    try {
      const apps = [APPS[1] as BundleAppSpec];
      const first = await makeBundle(path.join(world.share, 'first'), apps);
      succeeded(await world.run(first));
      const sync = (bundle: string) =>
        runBundledTask('AirGapSyncTags', {
          inputs: { targetEnvironment: 'Pre-Production', bundlePath: bundle },
          connection: { url: world.production.url, token: PROD_TOKEN },
        });
      succeeded(await sync(first));
      // The same bytes in another bundle folder: its journal is new, so OSPTool publishes again.
      const again = await makeBundle(path.join(world.share, 'again'), apps);
      succeeded(await world.run(again));
      assert.equal(world.production.running('Pre-Production', 'Customer Core')?.modified, true);
      const posts = () => world.production.requests.filter((r) => r.method === 'POST').length;
      const before = posts();
      const rerun = await sync(again);
      assert.equal(rerun.result?.status, 'SucceededWithIssues');
      assert.equal(rerun.outputVariables.taggedCount, '0');
      assert.ok(
        rerun.warnings.some((w) => w.includes('changes made after its tag 1.1.0')),
        rerun.warnings.join('\n'),
      );
      assert.equal(posts(), before, 'no POST of a version number LifeTime already has');
    } finally {
      await world.close();
    }
  });
});
