/**
 * The LifeTime fault matrix: every kind of failure the emulator can inject, against the bundled
 * export and tag-sync tasks. Each case is recovered (identical bytes, one tag) or failed with a
 * message naming the fault; an export never leaves a bundle folder, whole or half, after a failure,
 * and tag sync never creates a tag twice (a rerun after the fault tags each application once).
 * Related cases elsewhere: test/e2e/export.test.ts (403 on content, mixed 503/reset/truncate,
 * expired link, kill mid-download) and test/e2e/syncTags.test.ts (403/500 on the POST, reset after
 * the POST was processed, bad token).
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyBundle } from '../../shared/bundle/verify';
import type { FaultSpec } from '../../tools/emulator/emulator';
import { exportWorld, type ExportWorld } from '../support/exportWorld';
import { snapshot } from '../support/snapshot';
import { failureOf, succeeded } from '../support/taskResults';
import { FAST_HTTP, SLOWER_THAN_TIMEOUT_MS, tagWorld, type TagWorld } from './matrixSupport';
import { eachTest } from '../support/eachTest';

interface FaultCase {
  why: string;
  faults: FaultSpec[];
  /** 'recovered', or what the failure message must say. */
  expect: 'recovered' | RegExp[];
  /** Something the task must have printed while recovering. */
  printed?: RegExp;
}

const API = '/lifetimeapi/rest/v2';
const ENVIRONMENTS = new RegExp(`^${API}/environments/?$`);
const APPLICATIONS = new RegExp(`^${API}/applications/?$`);
const VERSION = new RegExp(`^${API}/applications/[^/]+/versions/[^/]+/?$`);
const CONTENT = /\/content\/?$/;
const DOWNLOAD = `${API}/downloads/`;
const TAG_POST = /\/environments\/[^/]+\/applications\/[^/]+\/versions\/?$/;
const ERROR_BODY = { Errors: ['LifeTime is applying a platform upgrade; try again later.'], StatusCode: 500 };
const GONE = 3; // FAST_HTTP allows 3 attempts: this many faults exhaust them.

/** A case the task must get through: one fault, and optionally a line it prints while retrying. */
function recovers(why: string, fault: FaultSpec, printed?: RegExp): FaultCase {
  return { why, faults: [fault], expect: 'recovered', ...(printed !== undefined ? { printed } : {}) };
}

/** A case the task must fail, with a message that says each of `says`: one fault. */
function fails(why: string, fault: FaultSpec, ...says: RegExp[]): FaultCase {
  return { why, faults: [fault], expect: says };
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Both tasks start by listing the environments: when that never answers, both fail the same way. */
const ENVIRONMENTS_NEVER_ANSWER = fails(
  'slow headers past the timeout on every attempt',
  { path: ENVIRONMENTS, kind: 'slow-headers', ms: SLOWER_THAN_TIMEOUT_MS, times: GONE },
  /no response from LifeTime .* within 1\.5 s/,
  /environments/,
);

/** Both tasks list the applications: a 500 with LifeTime's error body fails both, quoting that body. */
const APPLICATIONS_UPGRADING = fails(
  'a 500 with an error body',
  { path: APPLICATIONS, kind: 'status', status: 500, body: ERROR_BODY },
  /answered 500/,
  /platform upgrade/,
);

const EXPORT_CASES: FaultCase[] = [
  recovers(
    'a 503 burst on the content link',
    { path: CONTENT, kind: 'status', status: 503, times: 2 },
    /answered 503; attempt 2 of 3/,
  ),
  fails(
    '503 until the retries run out',
    { path: APPLICATIONS, kind: 'status', status: 503, times: GONE },
    /503/,
    /after 3 attempts/,
    /applications/,
  ),
  recovers(
    '429 with Retry-After',
    { path: ENVIRONMENTS, kind: 'status', status: 429, retryAfterSeconds: 1 },
    /answered 429; attempt 2 of 3 in 1 s/,
  ),
  recovers('a connection reset before the body', { path: APPLICATIONS, kind: 'reset-before-body' }),
  recovers('a connection reset during the download', { path: DOWNLOAD, kind: 'reset-mid-body' }),
  recovers('a connection reset during a JSON body', { path: VERSION, kind: 'reset-mid-body' }),
  recovers('a truncated download', { path: DOWNLOAD, kind: 'truncate-body' }),
  fails('a download cut short on every attempt', { path: DOWNLOAD, kind: 'truncate-body', times: 20 }, /"Reporting"/),
  recovers('slow headers past the timeout once', {
    path: ENVIRONMENTS,
    kind: 'slow-headers',
    ms: SLOWER_THAN_TIMEOUT_MS,
  }),
  ENVIRONMENTS_NEVER_ANSWER,
  recovers('an expired download link', { path: DOWNLOAD, kind: 'expired-link' }),
  fails('a 401', { path: APPLICATIONS, kind: 'status', status: 401 }, /\(401\)/, /token/),
  fails('a 403 on the version', { path: VERSION, kind: 'status', status: 403 }, /\(403\)/, /"Reporting"/, /permission/),
  fails('a 404 on the version', { path: VERSION, kind: 'status', status: 404 }, /not found/, /\(404\)/, /"Reporting"/),
  APPLICATIONS_UPGRADING,
  fails(
    'a 500 without an error body',
    { path: ENVIRONMENTS, kind: 'status', status: 500, rawBody: '' },
    /answered 500/,
    /environments/,
  ),
  fails('a non-JSON body (a proxy page)', { path: APPLICATIONS, kind: 'non-json-body' }, /JSON/, /applications/),
];

describe('LifeTime fault matrix: export (bundled task)', function () {
  this.timeout(120_000);
  let world: ExportWorld;
  eachTest(
    () => exportWorld([], { shareWithSpaces: false }),
    (w) => (world = w),
  );

  for (const c of EXPORT_CASES) {
    const outcome = c.expect === 'recovered' ? 'recovers' : 'fails clearly';
    it(`${outcome} on ${c.why}, leaving only a whole bundle or nothing`, async () => {
      for (const fault of c.faults) world.emulator.injectFault(fault);
      const run = await world.run({ applications: 'Reporting' }, { env: FAST_HTTP });
      assert.ok(
        world.emulator.requests.some((r) => r.faulted !== undefined),
        'the fault fired',
      );
      const listing = snapshot(world.share);
      if (c.expect === 'recovered') {
        succeeded(run);
        if (c.printed) assert.match(run.stdout, c.printed);
        const bundle = path.join(world.share, 'release-42');
        const verified = await verifyBundle(bundle);
        assert.equal(verified.packages.length, 1);
        const app = verified.packages[0]?.application;
        assert.equal(app?.sha256, sha256(world.emulator.packagePath('Reporting', '3.1')), 'identical bytes');
        assert.deepEqual(
          listing.filter((f) => f === 'release-42/' || !f.startsWith('release-42/')),
          ['release-42/'],
          'nothing beside the bundle',
        );
      } else {
        const message = failureOf(run);
        for (const expected of c.expect) assert.match(message, expected);
        assert.deepEqual(listing, [], 'no bundle folder, whole or partial, is left on the share');
      }
    });
  }
});

const SYNC_CASES: FaultCase[] = [
  recovers('a 503 burst on the application list', { path: APPLICATIONS, kind: 'status', status: 503, times: 2 }),
  fails(
    '503 on the tag POST (never repeated blindly)',
    { method: 'POST', path: TAG_POST, kind: 'status', status: 503 },
    /503/,
    /"Customer (Core|Portal)"/,
  ),
  recovers(
    '429 with Retry-After',
    { path: ENVIRONMENTS, kind: 'status', status: 429, retryAfterSeconds: 1 },
    /answered 429/,
  ),
  recovers('a connection reset before the body of a GET', { path: APPLICATIONS, kind: 'reset-before-body' }),
  recovers('a connection reset before the tag POST was processed', {
    method: 'POST',
    path: TAG_POST,
    kind: 'reset-before-body',
  }),
  recovers('a connection reset during a JSON body', { path: APPLICATIONS, kind: 'reset-mid-body' }),
  recovers('a truncated JSON body', { path: ENVIRONMENTS, kind: 'truncate-body' }),
  recovers('slow headers past the timeout on a GET', {
    path: APPLICATIONS,
    kind: 'slow-headers',
    ms: SLOWER_THAN_TIMEOUT_MS,
  }),
  recovers('slow headers past the timeout on a tag POST LifeTime did process', {
    method: 'POST',
    path: TAG_POST,
    kind: 'slow-headers',
    ms: SLOWER_THAN_TIMEOUT_MS,
  }),
  ENVIRONMENTS_NEVER_ANSWER,
  { why: 'a 401', faults: [{ path: ENVIRONMENTS, kind: 'status', status: 401 }], expect: [/\(401\)/, /token/] },
  fails('a 403 on the application list', { path: APPLICATIONS, kind: 'status', status: 403 }, /\(403\)/, /permission/),
  fails('a 404 on the environments', { path: ENVIRONMENTS, kind: 'status', status: 404 }, /not found/, /\(404\)/),
  APPLICATIONS_UPGRADING,
  fails(
    'a 500 without an error body on the tag POST',
    { method: 'POST', path: TAG_POST, kind: 'status', status: 500, rawBody: '' },
    /500/,
    /"Customer (Core|Portal)"/,
  ),
  fails('a non-JSON body (a proxy page)', { path: ENVIRONMENTS, kind: 'non-json-body' }, /JSON/, /environments/),
];

describe('LifeTime fault matrix: tag sync (bundled task)', function () {
  this.timeout(120_000);
  let t: TagWorld;
  eachTest(tagWorld, (w) => (t = w));

  for (const c of SYNC_CASES) {
    const outcome = c.expect === 'recovered' ? 'recovers' : 'fails clearly';
    it(`${outcome} on ${c.why}, and never creates a tag twice`, async () => {
      for (const fault of c.faults) t.production.injectFault(fault);
      const run = await t.sync();
      assert.ok(
        t.production.requests.some((r) => r.faulted !== undefined),
        'the fault fired',
      );
      if (c.expect === 'recovered') {
        succeeded(run);
        if (c.printed) assert.match(run.stdout, c.printed);
        assert.equal(run.outputVariables.taggedCount, '2');
      } else {
        const message = failureOf(run);
        for (const expected of c.expect) assert.match(message, expected);
        t.production.clearFaults();
        succeeded(await t.sync());
      }
      assert.deepEqual(t.tagCounts(), { 'Customer Core': 1, 'Customer Portal': 1 }, 'one tag per application');
      const refused = t.tagPosts().filter((p) => p.status >= 400 && p.status < 500);
      assert.deepEqual(refused, [], 'no POST was refused as a duplicate');
      const postsBefore = t.tagPosts().length;
      const rerun = await t.sync();
      assert.equal(rerun.outputVariables.taggedCount, '0');
      assert.equal(t.tagPosts().length, postsBefore, 'a rerun POSTs nothing');
    });
  }
});
