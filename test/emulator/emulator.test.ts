import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type {
  Application,
  ApplicationVersion,
  DownloadLink,
  Environment,
  LifeTimeErrorBody,
} from '../../shared/lifetime/types';
import { readOapManifest } from '../../shared/oap/oapReader';
import { guidToUid, uidToGuid } from '../../shared/oap/uid';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { jsonBody, rawRequest, type RawResponse } from '../../tools/emulator/httpRequest';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';

const bearer = { Authorization: `Bearer ${testToken}` };

describe('LifeTime emulator: API v2 endpoints', () => {
  let lt: LifeTimeEmulator;
  const get = (path: string, headers: Record<string, string> = bearer): Promise<RawResponse> =>
    rawRequest(lt.apiBase + path, { headers });
  const post = (path: string, body: unknown): Promise<RawResponse> =>
    rawRequest(lt.apiBase + path, {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const key = (name: string): string => {
    const app = lt.application(name);
    assert.ok(app, name);
    return app.key;
  };
  let envKeys: Record<string, string>;

  beforeEach(async () => {
    lt = await LifeTimeEmulator.start(developmentSpec());
    const envs = jsonBody(await get('/environments/')) as Environment[];
    envKeys = Object.fromEntries(envs.map((e) => [e.Name ?? '', e.Key ?? '']));
  });
  afterEach(() => lt.close());

  describe('authentication', () => {
    it('answers 401 with an Exception body without a token, with a wrong one and with a non-Bearer scheme', async () => {
      const cases: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong' }, { Authorization: testToken }];
      for (const headers of cases) {
        const res = await get('/environments/', headers);
        assert.equal(res.status, 401);
        const body = jsonBody(res) as LifeTimeErrorBody;
        assert.equal(body.StatusCode, 401);
        assert.ok(body.Errors && body.Errors.length > 0);
        assert.ok(!res.body.toString().includes(testToken), 'the token is never echoed');
      }
      assert.deepEqual(
        lt.requests.slice(-3).map((r) => [r.auth, r.status]),
        [
          ['none', 401],
          ['bad-token', 401],
          ['other', 401],
        ],
      );
    });

    it('accepts the Bearer scheme case-insensitively and logs it', async () => {
      const res = await get('/environments', { Authorization: `bearer ${testToken}` });
      assert.equal(res.status, 200);
      assert.equal(lt.requests.at(-1)?.auth, 'bearer');
    });
  });

  describe('environments', () => {
    it('lists environments with realistic fields, with and without the trailing slash', async () => {
      const withSlash = jsonBody(await get('/environments/')) as Environment[];
      const without = jsonBody(await get('/environments')) as Environment[];
      assert.deepEqual(withSlash, without);
      assert.deepEqual(
        withSlash.map((e) => [e.Name, e.HostName, e.EnvironmentType, e.Order]),
        [
          ['Development', 'dev.example.com', 'Development', 0],
          ['Acceptance', 'acc.example.com', 'Test', 1],
        ],
      );
      for (const e of withSlash) {
        assert.match(e.Key ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(typeof e.OSVersion, 'string');
        assert.equal(e.UseHTTPS, true);
      }
    });

    it('gets one environment by key and answers 404 for an unknown key', async () => {
      const acc = jsonBody(await get(`/environments/${envKeys.Acceptance ?? ''}/`)) as Environment;
      assert.equal(acc.Name, 'Acceptance');
      const missing = await get('/environments/00000000-0000-0000-0000-000000000000/');
      assert.equal(missing.status, 404);
      assert.equal((jsonBody(missing) as LifeTimeErrorBody).StatusCode, 404);
    });

    it('answers 204 without a body when there are no environments or applications', async () => {
      const empty = await LifeTimeEmulator.start({ token: testToken, environments: [], applications: [] });
      try {
        for (const path of ['/environments/', '/applications/']) {
          const res = await rawRequest(empty.apiBase + path, { headers: bearer });
          assert.equal(res.status, 204, path);
          assert.equal(res.body.length, 0, path);
        }
      } finally {
        await empty.close();
      }
    });
  });

  describe('applications', () => {
    it('lists applications with empty AppStatusInEnvs unless IncludeEnvStatus=true', async () => {
      const plain = jsonBody(await get('/applications/')) as Application[];
      assert.deepEqual(
        plain.map((a) => a.Name),
        ['System Components', 'Service Center', 'Customer Core', 'Customer Portal', 'Field App'],
      );
      assert.ok(plain.every((a) => Array.isArray(a.AppStatusInEnvs) && a.AppStatusInEnvs.length === 0));
      assert.deepEqual(
        plain.filter((a) => a.IsSystem).map((a) => a.Name),
        ['System Components', 'Service Center'],
      );
      // Python's requests sends True/False ([PY] §1.1).
      const withStatus = jsonBody(
        await get('/applications?IncludeEnvStatus=True&IncludeModules=TRUE'),
      ) as Application[];
      const core = withStatus.find((a) => a.Name === 'Customer Core');
      assert.deepEqual(
        core?.AppStatusInEnvs?.map((s) => [s.EnvironmentKey, s.IsModified]),
        [
          [envKeys.Development, true],
          [envKeys.Acceptance, false],
        ],
      );
      assert.equal(core.AppStatusInEnvs[0]?.ModuleStatusInEnvs?.length, 1);
    });

    it('answers 400 when modules are asked without status, or a boolean is not one', async () => {
      for (const path of [
        '/applications/?IncludeModules=true',
        `/applications/${key('Customer Core')}/?IncludeModules=true&IncludeEnvStatus=false`,
        `/environments/${envKeys.Acceptance ?? ''}/applications/${key('Customer Core')}/?IncludeModules=true`,
        '/applications/?IncludeEnvStatus=yes',
      ]) {
        const res = await get(path);
        assert.equal(res.status, 400, path);
        assert.equal((jsonBody(res) as LifeTimeErrorBody).StatusCode, 400);
      }
    });

    it('gets an application with its status per environment, modified reason, and "" base for never-tagged', async () => {
      const core = jsonBody(await get(`/applications/${key('Customer Core')}/?IncludeEnvStatus=true`)) as Application;
      const coreVersions = lt.versions('Customer Core');
      const [dev, acc] = core.AppStatusInEnvs ?? [];
      assert.equal(dev?.BaseApplicationVersionKey, coreVersions[0]?.Key);
      assert.equal(dev?.IsModifiedReason, 'Module_Modified');
      assert.match(dev.IsModifiedMessage ?? '', /1\.1\.0/);
      assert.equal(acc?.IsModified, false);
      assert.equal(acc.IsModifiedReason, undefined);
      assert.equal(acc.DeploymentZoneKey, '');

      const portal = jsonBody(
        await get(`/applications/${key('Customer Portal')}?IncludeEnvStatus=true`),
      ) as Application;
      const portalDev = portal.AppStatusInEnvs?.find((s) => s.EnvironmentKey === envKeys.Development);
      assert.equal(portalDev?.BaseApplicationVersionKey, '');
      assert.equal(portalDev.IsModified, true);

      const plain = jsonBody(await get(`/applications/${key('Customer Core')}/`)) as Application;
      assert.deepEqual(plain.AppStatusInEnvs, []);
      assert.equal(plain.Team, 'Customer');
      assert.equal((await get('/applications/11111111-2222-3333-4444-555555555555/')).status, 404);
    });

    it('gets the running application in one environment, and 404 when not running or unknown', async () => {
      const res = await get(
        `/environments/${envKeys.Acceptance ?? ''}/applications/${key('Field App')}/?IncludeEnvStatus=true`,
      );
      const app = jsonBody(res) as Application;
      assert.equal(app.AppStatusInEnvs?.length, 1);
      assert.equal(
        app.AppStatusInEnvs[0]?.BaseApplicationVersionKey,
        lt.running('Acceptance', 'Field App')?.versionKey,
      );
      assert.deepEqual(
        app.AppStatusInEnvs[0]?.MobileAppsStatus?.map((m) => [m.NativePlatform, m.VersionNumber]),
        [['Android', '0.9.0']],
      );
      const notRunning = await get(`/environments/${envKeys.Development ?? ''}/applications/${key('Field App')}/`);
      assert.equal(notRunning.status, 404);
      const unknownEnv = await get(
        `/environments/00000000-0000-0000-0000-000000000001/applications/${key('Field App')}`,
      );
      assert.equal(unknownEnv.status, 404);
      const unknownApp = await get(
        `/environments/${envKeys.Acceptance ?? ''}/applications/00000000-0000-0000-0000-000000000002`,
      );
      assert.equal(unknownApp.status, 404);
    });
  });

  describe('versions', () => {
    it('lists versions newest first, five by default, limited by MaximumVersionsToReturn', async () => {
      const coreKey = key('Customer Core');
      const all = jsonBody(await get(`/applications/${coreKey}/versions/`)) as ApplicationVersion[];
      assert.deepEqual(
        all.map((v) => [v.Version, v.ChangeLog, v.ApplicationKey, v.InUse]),
        [
          ['1.1.0', 'Address validation', coreKey, true],
          ['1.0.0', 'First release', coreKey, false],
        ],
      );
      assert.ok(Date.parse(all[0]?.CreatedOn ?? '') > Date.parse(all[1]?.CreatedOn ?? ''));
      assert.deepEqual(all, lt.versions('Customer Core'));
      const one = jsonBody(
        await get(`/applications/${coreKey}/versions?MaximumVersionsToReturn=1`),
      ) as ApplicationVersion[];
      assert.deepEqual(
        one.map((v) => v.Version),
        ['1.1.0'],
      );
      const bad = await get(`/applications/${coreKey}/versions/?MaximumVersionsToReturn=-1`);
      assert.equal(bad.status, 400);
      assert.equal((await get('/applications/11111111-2222-3333-4444-555555555555/versions/')).status, 404);
    });

    it('returns at most five versions when there are more', async () => {
      for (let i = 0; i < 6; i++) {
        assert.equal(
          (
            await post(`/environments/${envKeys.Acceptance ?? ''}/applications/${key('Customer Core')}/versions/`, {
              Version: `1.2.${i}`,
            })
          ).status,
          201,
        );
      }
      const list = jsonBody(await get(`/applications/${key('Customer Core')}/versions/`)) as ApplicationVersion[];
      assert.deepEqual(
        list.map((v) => v.Version),
        ['1.2.5', '1.2.4', '1.2.3', '1.2.2', '1.2.1'],
      );
    });

    it('gets one version and answers 404 for a version of another application', async () => {
      const [latest] = lt.versions('Customer Core');
      assert.ok(latest);
      const one = jsonBody(
        await get(`/applications/${key('Customer Core')}/versions/${latest.Key}/?IncludeModules=false`),
      ) as ApplicationVersion;
      assert.deepEqual(one, latest);
      assert.equal((await get(`/applications/${key('Customer Portal')}/versions/${latest.Key}/`)).status, 404);
    });
  });

  describe('binaries', () => {
    it('gives an expiring link whose download streams the .oap without a token', async () => {
      const [latest] = lt.versions('Customer Portal');
      assert.ok(latest);
      const res = await get(`/applications/${key('Customer Portal')}/versions/${latest.Key}/content/`);
      assert.equal(res.status, 200);
      const link = jsonBody(res) as DownloadLink;
      assert.match(link.url ?? '', new RegExp(`^${lt.apiBase}/downloads/[0-9a-f-]{36}$`));
      assert.equal(res.headers.expires, link.expires);
      const expiresIn = Date.parse(link.expires ?? '') - Date.now();
      assert.ok(expiresIn > 59 * 60_000 && expiresIn <= 60 * 60_000, 'about 60 minutes');

      const file = await rawRequest(link.url ?? '');
      assert.equal(file.status, 200);
      assert.equal(file.headers['content-type'], 'application/octet-stream');
      const onDisk = fs.readFileSync(lt.packagePath('Customer Portal', '2.0.0'));
      assert.equal(Number(file.headers['content-length']), onDisk.length);
      assert.ok(onDisk.length > 256 * 1024, 'packageBytes honoured');
      assert.equal(sha256(file.body), sha256(onDisk));
      assert.equal(lt.requests.at(-1)?.auth, 'none');
    });

    it('answers 204 without a body when the version has no binary, and 404 for unknown keys', async () => {
      const noBinary = lt.versions('Field App').find((v) => v.Version === '0.9.1');
      assert.ok(noBinary);
      const res = await get(`/applications/${key('Field App')}/versions/${noBinary.Key}/content`);
      assert.equal(res.status, 204);
      assert.equal(res.body.length, 0);
      assert.equal(
        (await get(`/applications/${key('Field App')}/versions/00000000-0000-0000-0000-000000000000/content/`)).status,
        404,
      );
      assert.equal((await rawRequest(`${lt.apiBase}/downloads/00000000-0000-0000-0000-000000000000`)).status, 404);
    });

    it('refuses links after expireDownloadLinks() and after linkTtlMs', async () => {
      const url = await linkFor(lt, 'Customer Core');
      assert.equal((await rawRequest(url)).status, 200, 'a link can be followed again while valid');
      lt.expireDownloadLinks();
      const expired = await rawRequest(url);
      assert.equal(expired.status, 404);
      assert.equal((jsonBody(expired) as LifeTimeErrorBody).StatusCode, 404);
      assert.equal((await rawRequest(await linkFor(lt, 'Customer Core'))).status, 200, 'new links are valid');

      const shortLived = await LifeTimeEmulator.start(developmentSpec({ linkTtlMs: 1 }));
      try {
        const shortUrl = await linkFor(shortLived, 'Customer Core');
        await new Promise((r) => setTimeout(r, 20));
        assert.equal((await rawRequest(shortUrl)).status, 404);
      } finally {
        await shortLived.close();
      }
    });

    it('generates each package with the application UID and its producers by UID', async () => {
      const manifest = await readOapManifest(lt.packagePath('Customer Portal', '2.0.0'));
      const portal = lt.application('Customer Portal');
      assert.equal(manifest.application.uid, portal?.uid);
      assert.equal(uidToGuid(manifest.application.uid), portal?.key);
      assert.deepEqual(
        manifest.producers.map((p) => [p.name, p.uid]),
        [
          ['Customer Core', guidToUid('7a1d0c52-3f4e-4b8a-9c6d-2e1f0a9b8c7d')],
          ['Service Center', '0jY4Ruqa_0KfWKHnjhY8EQ'],
        ],
      );
      const v1 = fs.readFileSync(lt.packagePath('Customer Core', '1.0.0'));
      const v2 = fs.readFileSync(lt.packagePath('Customer Core', '1.1.0'));
      assert.notEqual(sha256(v1), sha256(v2), 'each version has its own bytes');
      assert.throws(() => lt.packagePath('Field App', '0.9.1'), /no binary/);
    });
  });

  describe('tagging', () => {
    it('creates a tag from what runs, then refuses the same version with 400 "already exists"', async () => {
      const path = `/environments/${envKeys.Development ?? ''}/applications/${key('Customer Core')}/versions/`;
      const created = await post(path, { ChangeLog: 'Hotfix', Version: '1.1.1', MobileVersions: null });
      assert.equal(created.status, 201);
      const { ApplicationVersionKey } = jsonBody(created) as { ApplicationVersionKey: string };
      assert.match(ApplicationVersionKey, /^[0-9a-f-]{36}$/);
      assert.deepEqual(lt.running('Development', 'Customer Core'), {
        versionKey: ApplicationVersionKey,
        version: '1.1.1',
        modified: false,
      });
      const [newest] = lt.versions('Customer Core');
      assert.deepEqual(
        [newest?.Key, newest?.Version, newest?.ChangeLog, newest?.InUse],
        [ApplicationVersionKey, '1.1.1', 'Hotfix', true],
      );
      const env = jsonBody(
        await get(
          `/environments/${envKeys.Development ?? ''}/applications/${key('Customer Core')}/?IncludeEnvStatus=true`,
        ),
      ) as Application;
      assert.equal(env.AppStatusInEnvs?.[0]?.BaseApplicationVersionKey, ApplicationVersionKey);
      assert.equal(env.AppStatusInEnvs[0].IsModified, false);
      // The new tag's binary can be exported like any other.
      assert.equal((await rawRequest(await linkFor(lt, 'Customer Core'))).status, 200);

      const duplicate = await post(path, { ChangeLog: 'again', Version: '1.1.1' });
      assert.equal(duplicate.status, 400);
      assert.match((jsonBody(duplicate) as LifeTimeErrorBody).Errors?.[0] ?? '', /already exists/);
      assert.equal(lt.versions('Customer Core').length, 3);
    });

    it('answers duplicateTagStatus 500 when configured so', async () => {
      const other = await LifeTimeEmulator.start(developmentSpec({ duplicateTagStatus: 500 }));
      try {
        const coreKey = other.application('Customer Core')?.key ?? '';
        const envs = jsonBody(await rawRequest(`${other.apiBase}/environments`, { headers: bearer })) as Environment[];
        const res = await rawRequest(
          `${other.apiBase}/environments/${envs[1]?.Key ?? ''}/applications/${coreKey}/versions`,
          {
            method: 'POST',
            headers: bearer,
            body: JSON.stringify({ Version: '1.0.0' }),
          },
        );
        assert.equal(res.status, 500);
        assert.match((jsonBody(res) as LifeTimeErrorBody).Errors?.[0] ?? '', /already exists/);
      } finally {
        await other.close();
      }
    });

    it('answers 404 when the application does not run in the environment, 400 for a bad body', async () => {
      const notRunning = await post(
        `/environments/${envKeys.Development ?? ''}/applications/${key('Field App')}/versions/`,
        { Version: '1.0' },
      );
      assert.equal(notRunning.status, 404);
      const unknownEnv = await post(
        `/environments/00000000-0000-0000-0000-000000000000/applications/${key('Field App')}/versions/`,
        { Version: '1.0' },
      );
      assert.equal(unknownEnv.status, 404);
      const path = `/environments/${envKeys.Acceptance ?? ''}/applications/${key('Field App')}/versions/`;
      for (const body of [
        { ChangeLog: 'no version' },
        { Version: 'x'.repeat(51) },
        { Version: '1.0', MobileVersions: 'iOS' },
      ]) {
        assert.equal((await post(path, body)).status, 400, JSON.stringify(body));
      }
      const notJson = await rawRequest(lt.apiBase + path, { method: 'POST', headers: bearer, body: '{not json' });
      assert.equal(notJson.status, 400);
      assert.equal(lt.running('Acceptance', 'Field App')?.version, '0.9', 'nothing was tagged');
    });

    it('records mobile versions of a tag', async () => {
      const res = await post(`/environments/${envKeys.Acceptance ?? ''}/applications/${key('Field App')}/versions/`, {
        Version: '1.0',
        ChangeLog: 'GA',
        MobileVersions: [{ NativePlatform: 'Android', VersionNumber: '1.0.0', VersionDescription: 'GA' }],
      });
      assert.equal(res.status, 201);
      assert.deepEqual(lt.versions('Field App')[0]?.MobileVersions, [
        { NativePlatform: 'Android', VersionNumber: '1.0.0', VersionDescription: 'GA' },
      ]);
    });
  });

  describe('CI/CD Probe', () => {
    const probe = (query: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
      rawRequest(`${lt.url}/CI_CDProbe/rest/v1/GetApplicationDependencies?${query}`, { headers });

    it('lists the producers of an application version that exist in this LifeTime', async () => {
      const res = await probe('ApplicationName=Customer%20Portal&ApplicationVersion=2.0.0');
      assert.equal(res.status, 200);
      assert.deepEqual(jsonBody(res), [
        { ApplicationKey: key('Customer Core'), ApplicationName: 'Customer Core' },
        { ApplicationKey: key('Service Center'), ApplicationName: 'Service Center' },
      ]);
      assert.deepEqual(jsonBody(await probe('ApplicationName=Field%20App&ApplicationVersion=0.9')), []);
      assert.equal((await probe('ApplicationName=Customer%20Portal&ApplicationVersion=9.9.9')).status, 404);
      assert.equal((await probe('ApplicationName=Nope&ApplicationVersion=1.0')).status, 404);
    });

    it('requires X-CICDProbe-Key when a probe key is set', async () => {
      const keyed = await LifeTimeEmulator.start(developmentSpec({ probeKey: 'probe-secret' }));
      try {
        const url = `${keyed.url}/CI_CDProbe/rest/v1/GetApplicationDependencies?ApplicationName=Customer%20Core&ApplicationVersion=1.0.0`;
        assert.equal((await rawRequest(url)).status, 401);
        assert.equal((await rawRequest(url, { headers: { 'X-CICDProbe-Key': 'wrong' } })).status, 401);
        const ok = await rawRequest(url, { headers: { 'X-CICDProbe-Key': 'probe-secret' } });
        assert.deepEqual(jsonBody(ok), [
          { ApplicationKey: keyed.application('System Components')?.key, ApplicationName: 'System Components' },
        ]);
      } finally {
        await keyed.close();
      }
    });
  });

  describe('control endpoints', () => {
    it('marks an application published by host name: it runs there, modified, on its last tag', async () => {
      const core = lt.application('Customer Core');
      assert.ok(core);
      const before = lt.running('Acceptance', 'Customer Core');
      const res = await rawRequest(`${lt.url}/__emulator/published`, {
        method: 'POST',
        body: JSON.stringify({ hostName: 'ACC.example.com', uid: core.uid, name: core.name }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual(jsonBody(res), { ApplicationKey: core.key });
      assert.deepEqual(lt.running('Acceptance', 'Customer Core'), { ...before, modified: true });
    });

    it('creates an application it never saw, keyed by the GUID of its UID', async () => {
      const uid = guidToUid('0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9');
      lt.markPublished('dev.example.com', { uid, name: 'Newcomer' });
      assert.deepEqual(lt.application('Newcomer'), {
        key: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
        uid,
        name: 'Newcomer',
      });
      assert.deepEqual(lt.running('Development', 'Newcomer'), { versionKey: '', modified: true });
      const listed = jsonBody(await get('/applications/')) as Application[];
      assert.ok(listed.some((a) => a.Name === 'Newcomer'));
    });

    it('refuses an unknown host and a malformed body', async () => {
      const unknown = await rawRequest(`${lt.url}/__emulator/published`, {
        method: 'POST',
        body: JSON.stringify({
          hostName: 'elsewhere.example.com',
          uid: lt.application('Customer Core')?.uid,
          name: 'Customer Core',
        }),
      });
      assert.equal(unknown.status, 404);
      const malformed = await rawRequest(`${lt.url}/__emulator/published`, { method: 'POST', body: '{"hostName": 1}' });
      assert.equal(malformed.status, 400);
      assert.throws(
        () => lt.markPublished('dev.example.com', { uid: 'not-a-uid', name: 'X' }),
        /not an OutSystems application UID/,
      );
    });

    it('reports the whole state for the demo to print', async () => {
      const state = jsonBody(await rawRequest(`${lt.url}/__emulator/state`)) as {
        url: string;
        environments: { name: string }[];
        applications: {
          name: string;
          versions: { version: string }[];
          running: Record<string, { version: string | null; modified: boolean }>;
        }[];
      };
      assert.equal(state.url, lt.url);
      assert.deepEqual(
        state.environments.map((e) => e.name),
        ['Development', 'Acceptance'],
      );
      const portal = state.applications.find((a) => a.name === 'Customer Portal');
      assert.deepEqual(portal?.running, {
        Acceptance: {
          versionKey: lt.running('Acceptance', 'Customer Portal')?.versionKey,
          version: '2.0.0',
          modified: false,
        },
        Development: { versionKey: '', version: null, modified: true },
      });
    });
  });

  it('answers 404 with an Exception body for an unknown API path', async () => {
    const res = await get('/nothing/here/');
    assert.equal(res.status, 404);
    assert.equal((jsonBody(res) as LifeTimeErrorBody).StatusCode, 404);
  });

  it('removes its work folder on close', async () => {
    const other = await LifeTimeEmulator.start(developmentSpec());
    const file = other.packagePath('Customer Core', '1.0.0');
    assert.ok(fs.existsSync(file));
    await other.close();
    assert.ok(!fs.existsSync(file));
  });
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A fresh download link for the newest version of an application. */
async function linkFor(lt: LifeTimeEmulator, appName: string): Promise<string> {
  const app = lt.application(appName);
  const [latest] = lt.versions(appName);
  assert.ok(app && latest);
  const res = await rawRequest(`${lt.apiBase}/applications/${app.key}/versions/${latest.Key}/content/`, {
    headers: bearer,
  });
  assert.equal(res.status, 200);
  return (jsonBody(res) as DownloadLink).url ?? '';
}
