/**
 * The export asks for the first packages' download links while their versions are still being
 * looked up (shared/export/downloadLinks.ts), through the bundled task and the emulator's request
 * log: the order of the requests, their number, no link for a scope that fails, and a link
 * failure that still names the application and the version.
 */
import * as assert from 'node:assert/strict';
import { apiBasePath } from '../../tools/emulator/emulator';
import type { RequestLogEntry } from '../../tools/emulator/emulator';
import { exportWorld, type ExportWorld, writeDeploymentManifest } from '../support/exportWorld';
import { eachTest } from '../support/eachTest';
import { failureOf, succeeded } from '../support/taskResults';

const VERSION = new RegExp(`^${apiBasePath}/applications/([^/]+)/versions/([^/]+)/?$`);
const CONTENT = new RegExp(`^${apiBasePath}/applications/([^/]+)/versions/([^/]+)/content/?$`);
/** Holds every version answer back long enough that a link asked for after it cannot come first. */
const SLOW_VERSION_MS = 1500;

function apiRequests(w: ExportWorld): RequestLogEntry[] {
  return w.emulator.requests.filter((r) => r.path.startsWith(`${apiBasePath}/`));
}

/** The content request for the same application and version as this version lookup. */
function linkOf(w: ExportWorld, version: RequestLogEntry): RequestLogEntry | undefined {
  const [, app, key] = VERSION.exec(version.path) ?? [];
  return apiRequests(w).find((r) => {
    const m = CONTENT.exec(r.path);
    return m !== null && m[1] === app && m[2] === key;
  });
}

function slowVersions(w: ExportWorld, times: number): void {
  w.emulator.injectFault({ path: VERSION, kind: 'latency', ms: SLOW_VERSION_MS, times });
}

describe('OutSystemsAirGapExport: download links asked for beside the version lookups', function () {
  this.timeout(120_000);
  let world: ExportWorld;
  eachTest(exportWorld, (w) => (world = w));

  it('asks for the first package link before its version lookup is answered, with 2 + 3N requests', async () => {
    slowVersions(world, 1);
    const run = await world.run({ applications: 'Reporting' });
    succeeded(run);
    const version = apiRequests(world).find((r) => VERSION.test(r.path));
    assert.ok(version?.answeredAt !== undefined, 'the version lookup was answered');
    const link = linkOf(world, version);
    assert.ok(link, 'the content link was asked for');
    assert.ok(
      link.at < version.answeredAt,
      `the link went out ${String(link.at - version.at)} ms after the version lookup, before its answer`,
    );
    assert.equal(apiRequests(world).length, 2 + 3 * 1, 'environment, list, and version + link + download');
  });

  it('asks for one link per lane early and each package link once, with 2 + 3N requests', async () => {
    const names = ['Customer Core', 'Customer Portal', 'Backoffice', 'Reporting'];
    slowVersions(world, names.length);
    const run = await world.run({ applications: names.join(', '), downloadParallelism: '2' });
    succeeded(run);
    const versions = apiRequests(world).filter((r) => VERSION.test(r.path));
    assert.equal(versions.length, names.length);
    const early = versions.filter((v) => {
      const link = linkOf(world, v);
      return link !== undefined && v.answeredAt !== undefined && link.at < v.answeredAt;
    });
    assert.equal(early.length, 2, 'the first two (one per lane) went out beside their lookups');
    const links = apiRequests(world).filter((r) => CONTENT.test(r.path));
    assert.equal(new Set(links.map((r) => r.path)).size, names.length, 'one link per package');
    assert.equal(apiRequests(world).length, 2 + 3 * names.length);
  });

  it('asks for no link when a name of the scope is wrong', async () => {
    const run = await world.run({ applications: 'Customer Portal, Payroll' });
    assert.match(failureOf(run), /application "Payroll" not found/);
    assert.deepEqual(
      apiRequests(world).filter((r) => CONTENT.test(r.path) || VERSION.test(r.path)),
      [],
      'no version lookup and no link',
    );
    assert.deepEqual(world.shareListing(), []);
  });

  it('names the application and the version number when an early link is refused', async () => {
    world.emulator.injectFault({ path: CONTENT, kind: 'status', status: 403, times: 10 });
    const run = await world.run({ applications: 'Reporting' });
    const failure = failureOf(run);
    assert.match(failure, /version 3\.1 of application "Reporting"/);
    assert.match(failure, /403|permission/i);
    assert.doesNotMatch(failure, /version key/, 'the early request label was replaced');
    assert.deepEqual(world.shareListing(), []);
  });

  it('names the version of a package without a binary (204) whose link was asked for early', async () => {
    const nobinary = await exportWorld([
      {
        name: 'Native Shell',
        versions: [{ version: '1.0', noBinary: true }],
        running: { Acceptance: { version: '1.0' } },
      },
    ]);
    try {
      const run = await nobinary.run({ applications: 'Native Shell' });
      assert.match(failureOf(run), /no binary \(\.oap\) for version 1\.0 of application "Native Shell" \(204\)/);
      assert.deepEqual(nobinary.shareListing(), []);
    } finally {
      await nobinary.close();
    }
  });

  it('asks for a pinned package link before its version check is answered, with 2 + 3N requests', async () => {
    const core = world.emulator.application('Customer Core');
    const oldCore = world.emulator.versions('Customer Core').find((v) => v.Version === '1.0.0');
    const portal = world.emulator.versions('Customer Portal')[0];
    assert.ok(core && oldCore && portal);
    const file = writeDeploymentManifest(world, 'early-links-manifest.cache', [
      {
        ApplicationName: 'Customer Portal',
        ApplicationKey: portal.ApplicationKey,
        Version: '2.3.0',
        VersionKey: portal.Key,
      },
      { ApplicationName: 'Customer Core', ApplicationKey: core.key, Version: '1.0.0', VersionKey: oldCore.Key },
    ]);
    slowVersions(world, 2);
    const run = await world.run({ manifestFile: file, downloadParallelism: '1' });
    succeeded(run);
    const versions = apiRequests(world).filter((r) => VERSION.test(r.path));
    assert.equal(versions.length, 2);
    const [first] = versions.filter((v) => v.path.includes(portal.Key));
    const link = first !== undefined ? linkOf(world, first) : undefined;
    assert.ok(first?.answeredAt !== undefined && link !== undefined);
    assert.ok(link.at < first.answeredAt, 'the first pinned link went out beside its version check');
    // The manifest scope skips the environment's application list: 1 + 3N requests.
    assert.ok(apiRequests(world).length <= 2 + 3 * 2);
  });

  it('reports a pinned version that no longer exists, its early link left unused', async () => {
    const portal = world.emulator.versions('Customer Portal')[0];
    const core = world.emulator.application('Customer Core');
    assert.ok(portal && core);
    const file = writeDeploymentManifest(world, 'early-links-gone.cache', [
      {
        ApplicationName: 'Customer Portal',
        ApplicationKey: portal.ApplicationKey,
        Version: '2.3.0',
        VersionKey: portal.Key,
      },
      {
        ApplicationName: 'Customer Core',
        ApplicationKey: core.key,
        Version: '9.9.9',
        VersionKey: '00000000-0000-0000-0000-000000000000',
      },
    ]);
    const run = await world.run({ manifestFile: file });
    assert.match(failureOf(run), /version 9\.9\.9 of application "Customer Core" .* no longer exists/);
    assert.deepEqual(world.shareListing(), []);
  });
});
