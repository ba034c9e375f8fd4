import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings, type HttpSettings } from '../../shared/http/settings';
import { LifeTimeClient } from '../../shared/lifetime/client';
import { statusInEnvironment, type EnvironmentRef } from '../../shared/lifetime/directory';
import { guidToUid } from '../../shared/oap/uid';
import {
  DownloadError,
  LifeTimeCancelledError,
  LifeTimeAuthError,
  LifeTimeBadRequestError,
  LifeTimeError,
  LifeTimeNetworkError,
  LifeTimeNotFoundError,
  LifeTimeOutcomeUnknownError,
  LifeTimeResponseError,
  LifeTimeServerError,
  NoBinaryError,
} from '../../shared/lifetime/errors';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';
import { startServer, unusedPort } from '../http/loopback';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

function http(overrides: Partial<HttpSettings> = {}): HttpClient {
  return new HttpClient(
    defaultHttpSettings({ timeoutMs: 2000, retries: 2, backoffBaseMs: 1, backoffMaxMs: 5, ...overrides }),
  );
}

const seenErrors: unknown[] = [];

/** Awaits a rejection of the given class, remembering it for the token check at the end. */
async function failure<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (error) {
    seenErrors.push(error);
    assert.ok(
      error instanceof type,
      `expected ${type.name}, got ${error instanceof Error ? error.stack : String(error)}`,
    );
    return error;
  }
  assert.fail(`expected ${type.name}`);
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('LifeTimeClient against the emulator', () => {
  let emulator: LifeTimeEmulator;
  let lt: LifeTimeClient;
  let dir: string;
  let host: string;

  before(async () => {
    emulator = await LifeTimeEmulator.start(developmentSpec());
    lt = new LifeTimeClient({ serverUrl: emulator.url, token: testToken, http: http() });
    host = emulator.url;
    dir = makeTempDir();
  });
  afterEach(() => emulator.clearFaults());
  after(async () => {
    await emulator.close();
    removeTempDir(dir);
  });

  const key = (name: string): string => {
    const app = emulator.application(name);
    assert.ok(app, name);
    return app.key;
  };
  const requestsTo = (fragment: string, method = 'GET'): number =>
    emulator.requests.filter((r) => r.method === method && r.path.includes(fragment)).length;

  describe('reading', () => {
    it('accepts the server URL with or without a slash or the API path', () => {
      for (const serverUrl of [host, `${host}/`, `${host}/lifetimeapi/rest/v2`, `${host}/lifetimeapi/rest/v2/`]) {
        const client = new LifeTimeClient({ serverUrl, token: testToken, http: http() });
        assert.equal(client.apiBase, `${host}/lifetimeapi/rest/v2`);
        assert.equal(client.host, host);
      }
      assert.throws(() => new LifeTimeClient({ serverUrl: 'lt.example.com', token: 't', http: http() }), /not a URL/);
    });

    it('lists environments with the bearer token and finds one by exact name', async () => {
      const all = await lt.listEnvironments();
      assert.deepEqual(
        all.map((e) => e.Name),
        ['Development', 'Acceptance'],
      );
      const acc = await lt.getEnvironment('Acceptance');
      assert.equal(acc.Name, 'Acceptance');
      assert.equal(acc.Key, all[1]?.Key);
      assert.ok(emulator.requests.every((r) => r.auth === 'bearer' || !r.path.startsWith('/lifetimeapi')));
    });

    it('names the missing environment and the available ones', async () => {
      const error = await failure(lt.getEnvironment('acceptance'), LifeTimeNotFoundError);
      assert.equal(
        error.message,
        `environment "acceptance" not found in LifeTime ${host} (it has "Development", "Acceptance"); did you mean "Acceptance"? Names are case-sensitive`,
      );
    });

    it('lists and finds applications, with their status per environment on request', async () => {
      const plain = await lt.listApplications();
      assert.ok(plain.some((a) => a.Name === 'Customer Portal'));
      assert.ok(plain.every((a) => (a.AppStatusInEnvs ?? []).length === 0));
      const withStatus = await lt.listApplications({ includeEnvStatus: true });
      const core = withStatus.find((a) => a.Name === 'Customer Core');
      assert.equal(core?.AppStatusInEnvs?.length, 2);
      const directory = await lt.applicationDirectory();
      assert.equal(directory.byName('Customer Portal')?.Key, key('Customer Portal'));
      assert.equal(directory.byKey(key('Customer Portal').toUpperCase())?.Name, 'Customer Portal');
      assert.equal(directory.byName('Billing'), undefined);
      assert.equal(directory.hintFor('customer portal'), '; did you mean "Customer Portal"? Names are case-sensitive');
    });

    it('matches a bundled application by key, then package UID, then name', async () => {
      const directory = await lt.applicationDirectory();
      const portal = key('Customer Portal');
      const other = '0b5a4c7e-0000-4000-8000-000000000000';
      assert.equal(directory.match({ key: portal, name: 'Renamed' })?.matchedBy, 'key');
      // An application LifeTime first met through a package is registered under its UID as a GUID.
      const uid = guidToUid(portal);
      const byUid = directory.match({ key: other, uid, name: 'Renamed' });
      assert.equal(byUid?.matchedBy, 'uid');
      assert.equal(byUid.application.Key, portal);
      assert.equal(directory.match({ key: other, name: 'Customer Portal' })?.application.Key, portal);
      assert.equal(directory.match({ key: other, name: 'Billing' }), undefined);
    });

    it('reports an unknown application key as not found naming it', async () => {
      const error = await failure(
        lt.listVersions('0b5a4c7e-0000-4000-8000-000000000000', { label: 'application "Ghost"' }),
        LifeTimeNotFoundError,
      );
      assert.match(error.message, new RegExp(`^application "Ghost" not found in LifeTime ${host} \\(404\\)`));
      assert.equal(error.status, 404);
    });

    it('lists versions newest first, limited on request, and gets one with IncludeModules=false', async () => {
      const all = await lt.listVersions(key('Customer Core'));
      assert.deepEqual(
        all.map((v) => v.Version),
        ['1.1.0', '1.0.0'],
      );
      const one = await lt.listVersions(key('Customer Core'), { max: 1 });
      assert.equal(one.length, 1);
      assert.ok(
        emulator.requests.some((r) => r.path.endsWith('/versions/') && r.query.includes('MaximumVersionsToReturn=1')),
      );
      const first = all[1];
      assert.ok(first);
      const version = await lt.getVersion(key('Customer Core'), first.Key);
      assert.equal(version.Version, '1.0.0');
      assert.equal(version.ChangeLog, 'First release');
      const call = emulator.requests.filter((r) => r.path.endsWith(`/versions/${first.Key}/`)).at(-1);
      assert.match(call?.query ?? '', /IncludeModules=false/);
    });

    it('reads the status per environment: tagged, modified, never tagged, or not running', async () => {
      const acc = await lt.getEnvironment('Acceptance');
      const dev = await lt.getEnvironment('Development');
      const directory = await lt.applicationDirectory({ includeEnvStatus: true });
      const status = (name: string, environment: EnvironmentRef) => {
        const app = directory.byName(name);
        assert.ok(app, name);
        return statusInEnvironment(app, environment.Key);
      };
      const inAcc = status('Customer Core', acc);
      const tagged = await lt.getVersion(key('Customer Core'), inAcc?.BaseApplicationVersionKey ?? '');
      assert.equal(tagged.Version, '1.1.0');
      assert.equal(inAcc?.IsModified, false);
      assert.equal(status('Customer Core', dev)?.IsModified, true);
      assert.equal(status('Customer Portal', dev)?.BaseApplicationVersionKey ?? '', '');
      assert.equal(status('Field App', dev), undefined);
    });

    it('treats 204 as an empty list', async () => {
      emulator.injectFault({ path: '/environments', kind: 'status', status: 204 });
      assert.deepEqual(await lt.listEnvironments(), []);
    });
  });

  describe('error statuses', () => {
    const cases: [number, new (...args: never[]) => LifeTimeError, RegExp][] = [
      [
        400,
        LifeTimeBadRequestError,
        /rejected the request for the list of applications as invalid \(400, GET \/lifetimeapi\/rest\/v2\/applications\/\)/,
      ],
      [403, LifeTimeAuthError, /service account may not access the list of applications on .* \(403\)/],
      [404, LifeTimeNotFoundError, /the list of applications not found in LifeTime .* \(404\)/],
      [
        500,
        LifeTimeServerError,
        /failed on the list of applications: GET \/lifetimeapi\/rest\/v2\/applications\/ answered 500/,
      ],
    ];
    for (const [status, type, pattern] of cases) {
      it(`maps ${status} to ${type.name}, with LifeTime's error text`, async () => {
        emulator.injectFault({
          path: '/applications',
          kind: 'status',
          status,
          body: { Errors: [`Injected ${status} text`], StatusCode: status },
        });
        const error = await failure(lt.listApplications(), type);
        assert.match(error.message, pattern);
        assert.match(error.message, new RegExp(`Injected ${status} text`));
        assert.ok(error.message.includes(host));
        assert.deepEqual(error.serverErrors, [`Injected ${status} text`]);
      });
    }

    it('says a refused token is invalid or expired (401), without printing it', async () => {
      const wrong = 'wrong-token-0123456789';
      const client = new LifeTimeClient({ serverUrl: host, token: wrong, http: http() });
      const error = await failure(client.listEnvironments(), LifeTimeAuthError);
      assert.equal(error.reason, 'invalid-token');
      assert.match(error.message, /refused the service account token .* \(401\).*invalid, expired/);
      assert.ok(!error.message.includes(wrong));
    });

    it('redacts the token if LifeTime echoes it in an error text', async () => {
      emulator.injectFault({
        path: '/applications',
        kind: 'status',
        status: 400,
        body: { Errors: [`bad header Bearer ${testToken}`], StatusCode: 400 },
      });
      const error = await failure(lt.listApplications(), LifeTimeBadRequestError);
      assert.match(error.message, /bad header Bearer \*\*\*/);
    });

    it('retries a run of 503s, then fails with the path and the status', async () => {
      emulator.injectFault({ path: '/environments', kind: 'status', status: 503, times: 3 });
      const error = await failure(lt.listEnvironments(), LifeTimeServerError);
      assert.equal(
        error.message,
        `LifeTime ${host} failed on the list of environments: GET /lifetimeapi/rest/v2/environments/ answered 503 after 3 attempts: Injected failure (HTTP 503).`,
      );
      assert.equal(error.status, 503);
    });

    it('recovers when a 503 is followed by success', async () => {
      emulator.injectFault({ path: '/environments', kind: 'status', status: 503, times: 2 });
      assert.equal((await lt.listEnvironments()).length, 2);
    });

    it('reports a body that is not JSON', async () => {
      emulator.injectFault({ path: '/environments', kind: 'non-json-body' });
      const error = await failure(lt.listEnvironments(), LifeTimeResponseError);
      assert.match(
        error.message,
        /answered GET \/lifetimeapi\/rest\/v2\/environments\/ for the list of environments with something that is not JSON \(200, text\/html/,
      );
    });

    it('reports a LifeTime that does not answer in time', async () => {
      const client = new LifeTimeClient({
        serverUrl: host,
        token: testToken,
        http: http({ timeoutMs: 100, retries: 1 }),
      });
      emulator.injectFault({ path: '/environments', kind: 'slow-headers', ms: 1000, times: 2 });
      const error = await failure(client.listEnvironments(), LifeTimeNetworkError);
      assert.equal(
        error.message,
        `no response from LifeTime ${host} within 100 ms for the list of environments (GET /lifetimeapi/rest/v2/environments/, 2 attempts)`,
      );
    });
  });

  describe('downloading', () => {
    const label = 'application "Customer Portal" version 2.0.0';
    const portalVersionKey = async (): Promise<string> => {
      const [latest] = await lt.listVersions(key('Customer Portal'));
      assert.ok(latest);
      return latest.Key;
    };

    it('gets a download link, and NoBinaryError on 204', async () => {
      const link = await lt.getDownloadLink(key('Customer Portal'), await portalVersionKey(), label);
      assert.match(link.url, new RegExp(`^${host}/lifetimeapi/rest/v2/downloads/`));
      assert.ok(link.expires);
      const lost = emulator.versions('Field App').find((v) => v.Version === '0.9.1');
      assert.ok(lost);
      const error = await failure(
        lt.getDownloadLink(key('Field App'), lost.Key, 'application "Field App" version 0.9.1'),
        NoBinaryError,
      );
      assert.equal(
        error.message,
        `LifeTime ${host} has no binary (.oap) for application "Field App" version 0.9.1 (204)`,
      );
    });

    it('streams the package to disk with its size and sha256', async () => {
      const destination = path.join(dir, 'portal.oap');
      const progress: [number, number | undefined][] = [];
      const result = await lt.downloadVersion(key('Customer Portal'), await portalVersionKey(), destination, {
        label,
        onProgress: (bytes, total) => progress.push([bytes, total]),
      });
      const expected = emulator.packagePath('Customer Portal', '2.0.0');
      assert.equal(result.bytes, fs.statSync(expected).size);
      assert.equal(result.sha256, sha256File(expected));
      assert.equal(sha256File(destination), result.sha256);
      assert.deepEqual(progress.at(-1), [result.bytes, result.bytes]);
    });

    for (const kind of ['truncate-body', 'reset-mid-body'] as const) {
      it(`fetches again from scratch after a ${kind}, with identical bytes`, async () => {
        const destination = path.join(dir, `retry-${kind}.oap`);
        const before = requestsTo('/downloads/');
        emulator.injectFault({ path: '/downloads/', kind });
        const result = await lt.downloadVersion(key('Customer Portal'), await portalVersionKey(), destination, {
          label,
        });
        assert.equal(result.sha256, sha256File(emulator.packagePath('Customer Portal', '2.0.0')));
        assert.equal(sha256File(destination), result.sha256);
        assert.equal(requestsTo('/downloads/') - before, 2);
      });
    }

    it('fails clearly when every attempt is truncated, leaving no partial file', async () => {
      const destination = path.join(dir, 'never.oap');
      emulator.injectFault({ path: '/downloads/', kind: 'truncate-body', times: 10 });
      const error = await failure(
        lt.downloadVersion(key('Customer Portal'), await portalVersionKey(), destination, { label }),
        DownloadError,
      );
      assert.match(
        error.message,
        new RegExp(
          `^downloading ${label} from LifeTime ${host} failed: connection closed before the whole body arrived after \\d+ of \\d+ bytes \\(3 attempts\\)$`,
        ),
      );
      assert.equal(fs.existsSync(destination), false);
    });

    it('asks for a new link when the download link has expired', async () => {
      const destination = path.join(dir, 'renewed.oap');
      const links = requestsTo('/content');
      emulator.injectFault({ path: '/downloads/', kind: 'expired-link' });
      const result = await lt.downloadVersion(key('Customer Portal'), await portalVersionKey(), destination, { label });
      assert.equal(result.sha256, sha256File(emulator.packagePath('Customer Portal', '2.0.0')));
      assert.equal(requestsTo('/content') - links, 2);
    });

    it('gives up after a bounded number of refused links', async () => {
      const destination = path.join(dir, 'refused.oap');
      const links = requestsTo('/content');
      emulator.injectFault({ path: '/downloads/', kind: 'expired-link', times: 10 });
      const error = await failure(
        lt.downloadVersion(key('Customer Portal'), await portalVersionKey(), destination, { label }),
        DownloadError,
      );
      assert.equal(error.message, `LifeTime ${host} kept refusing the download link for ${label} (404, 4 links tried)`);
      assert.equal(requestsTo('/content') - links, 4);
    });

    it('sends the token only to the LifeTime origin', async () => {
      const payload = Buffer.from('PK-not-really-a-zip');
      const other = await startServer((req, res) => {
        res.writeHead(200, {
          'content-length': payload.length,
          'x-saw-auth': String(req.headers.authorization !== undefined),
        });
        res.end(payload);
      });
      try {
        emulator.injectFault({ path: '/content', kind: 'status', status: 200, body: { url: `${other.url}/blob/1` } });
        const result = await lt.downloadVersion(
          key('Customer Portal'),
          await portalVersionKey(),
          path.join(dir, 'b.oap'),
          {
            label,
          },
        );
        assert.equal(result.sha256, createHash('sha256').update(payload).digest('hex'));
        assert.equal(other.hits.length, 1);
        assert.equal(other.hits[0]?.headers.authorization, undefined);
      } finally {
        await other.close();
      }
    });
  });

  describe('tagging', () => {
    it('creates a version from what runs in the environment and returns its key', async () => {
      const dev = await lt.getEnvironment('Development');
      const portal = { Key: key('Customer Portal'), Name: 'Customer Portal' };
      const newKey = await lt.createVersion(dev, portal, {
        Version: '2.1.0',
        ChangeLog: 'Tagged by test',
        MobileVersions: [],
      });
      const versions = await lt.listVersions(portal.Key);
      assert.equal(versions.find((v) => v.Key === newKey)?.Version, '2.1.0');
    });

    it("reports a duplicate tag with LifeTime's text", async () => {
      const dev = await lt.getEnvironment('Development');
      const error = await failure(
        lt.createVersion(dev, { Key: key('Customer Core'), Name: 'Customer Core' }, { Version: '1.0.0' }),
        LifeTimeBadRequestError,
      );
      assert.match(
        error.message,
        /version "1\.0\.0" of application "Customer Core" in environment "Development" as invalid \(400, POST .*already exists/,
      );
    });

    it('never repeats a POST whose connection was lost, and says the outcome is unknown', async () => {
      const acc = await lt.getEnvironment('Acceptance');
      const core = { Key: key('Customer Core'), Name: 'Customer Core' };
      const posts = requestsTo('/versions', 'POST');
      emulator.injectFault({ path: '/versions', method: 'POST', kind: 'reset-after-request' });
      const error = await failure(lt.createVersion(acc, core, { Version: '1.2.0' }), LifeTimeOutcomeUnknownError);
      assert.match(
        error.message,
        /lost after sending the request for version "1\.2\.0" of application "Customer Core" in environment "Acceptance"/,
      );
      assert.match(error.message, /check the current state in LifeTime before trying again/);
      assert.equal(requestsTo('/versions', 'POST') - posts, 1);
      // The emulator did create it: exactly why the caller must re-read instead of retrying.
      assert.ok((await lt.listVersions(core.Key)).some((v) => v.Version === '1.2.0'));
    });

    it('fails a POST on 503 without repeating it', async () => {
      const acc = await lt.getEnvironment('Acceptance');
      const posts = requestsTo('/versions', 'POST');
      emulator.injectFault({ path: '/versions', method: 'POST', kind: 'status', status: 503, times: 5 });
      await failure(
        lt.createVersion(acc, { Key: key('Customer Core'), Name: 'Customer Core' }, { Version: '1.3.0' }),
        LifeTimeServerError,
      );
      assert.equal(requestsTo('/versions', 'POST') - posts, 1);
    });
  });

  describe('cancellation and unreachable hosts', () => {
    it('stops when the task is cancelled', async () => {
      const controller = new AbortController();
      const client = new LifeTimeClient({ serverUrl: host, token: testToken, http: http(), signal: controller.signal });
      emulator.injectFault({ path: '/environments', kind: 'slow-headers', ms: 1500 });
      setTimeout(() => controller.abort(), 50);
      const error = await failure(client.listEnvironments(), LifeTimeCancelledError);
      assert.equal(error.message, `cancelled while waiting for LifeTime ${host} for the list of environments`);
    });

    it('reports a tag request that never left as a network error, not an unknown outcome', async () => {
      const port = await unusedPort();
      const client = new LifeTimeClient({ serverUrl: `http://127.0.0.1:${port}`, token: testToken, http: http() });
      const error = await failure(
        client.createVersion({ Key: 'e', Name: 'PRE' }, { Key: 'a', Name: 'Customer Core' }, { Version: '1.0' }),
        LifeTimeNetworkError,
      );
      assert.match(
        error.message,
        /^could not reach LifeTime http:\/\/127\.0\.0\.1:\d+ for version "1\.0" of application "Customer Core" in environment "PRE": .*ECONNREFUSED/,
      );
    });
  });

  describe('afterwards', () => {
    it('never put the token in any error message', () => {
      assert.ok(seenErrors.length > 15);
      for (const error of seenErrors) {
        assert.ok(error instanceof Error);
        let current: unknown = error;
        while (current instanceof Error) {
          assert.ok(!current.message.includes(testToken), current.message);
          assert.ok(!(current.stack ?? '').includes(testToken));
          current = current.cause;
        }
      }
    });
  });
});
