import * as assert from 'node:assert/strict';
import type { ApplicationVersion, DownloadLink, Environment } from '../../shared/lifetime/types';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { jsonBody, rawRequest, type RawResponse } from '../../tools/emulator/httpRequest';
import { isDateTime, SwaggerResponses } from '../../tools/emulator/swaggerResponses';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';

const bearer = { Authorization: `Bearer ${testToken}` };

describe('LifeTime emulator: responses against the vendor Swagger file', () => {
  const swagger = new SwaggerResponses();
  const exception = swagger.definition('Exception', true);
  let lt: LifeTimeEmulator;
  let env: { dev: string; acc: string };
  let app: { core: string; portal: string; field: string };
  let version: { core: string; noBinary: string };
  /** Every (method, Swagger path, status) checked, to prove the coverage below. */
  const checked = new Set<string>();

  before(async () => {
    lt = await LifeTimeEmulator.start(developmentSpec());
    const envs = jsonBody(await rawRequest(`${lt.apiBase}/environments/`, { headers: bearer })) as Environment[];
    const keyOf = (name: string): string => envs.find((e) => e.Name === name)?.Key ?? '';
    env = { dev: keyOf('Development'), acc: keyOf('Acceptance') };
    const appKey = (name: string): string => lt.application(name)?.key ?? '';
    app = { core: appKey('Customer Core'), portal: appKey('Customer Portal'), field: appKey('Field App') };
    const fieldVersions: ApplicationVersion[] = lt.versions('Field App');
    version = {
      core: lt.versions('Customer Core')[0]?.Key ?? '',
      noBinary: fieldVersions.find((v) => v.Version === '0.9.1')?.Key ?? '',
    };
  });
  after(() => lt.close());

  /** Sends the request and checks the response against the schema the Swagger file gives for it. */
  async function conforms(method: string, path: string, expectedStatus: number, body?: unknown): Promise<RawResponse> {
    const res = await rawRequest(lt.apiBase + path, {
      method,
      headers: { ...bearer, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, expectedStatus, `${method} ${path}: ${res.body.toString().slice(0, 200)}`);
    const contract = swagger.contract(method, path, res.status);
    assert.ok(contract, `${method} ${path} is in the Swagger file`);
    assert.ok(contract.documented, `${method} ${contract.pathKey} documents ${res.status}`);
    if (contract.validate === undefined || contract.validateClosed === undefined) {
      assert.equal(res.body.length, 0, `${method} ${contract.pathKey} ${res.status} has no body`);
    } else {
      const json = jsonBody(res);
      assert.ok(
        contract.validate(json),
        `${method} ${path} ${res.status}: ${JSON.stringify(contract.validate.errors)}`,
      );
      assert.ok(
        contract.validateClosed(json),
        `${method} ${path} ${res.status} has only defined fields: ${JSON.stringify(contract.validateClosed.errors)}`,
      );
    }
    for (const [name, header] of Object.entries(contract.headers)) {
      const value = res.headers[name.toLowerCase()];
      assert.equal(typeof value, 'string', `${method} ${contract.pathKey} sends the ${name} header`);
      if (header.format === 'date-time') assert.ok(isDateTime(String(value)), `${name}: ${String(value)}`);
    }
    checked.add(`${method} ${contract.pathKey} ${res.status}`);
    return res;
  }

  const endpoints = (): { method: string; path: string; body?: unknown }[] => [
    { method: 'GET', path: '/environments/' },
    { method: 'GET', path: `/environments/${env.acc}/` },
    { method: 'GET', path: '/applications/?IncludeEnvStatus=true' },
    { method: 'GET', path: `/applications/${app.core}/?IncludeEnvStatus=true` },
    { method: 'GET', path: `/environments/${env.acc}/applications/${app.core}/?IncludeEnvStatus=true` },
    { method: 'GET', path: `/applications/${app.core}/versions/?MaximumVersionsToReturn=10` },
    { method: 'GET', path: `/applications/${app.core}/versions/${version.core}/?IncludeModules=false` },
    { method: 'GET', path: `/applications/${app.core}/versions/${version.core}/content/` },
    {
      method: 'POST',
      path: `/environments/${env.acc}/applications/${app.core}/versions/`,
      body: { ChangeLog: 'x', Version: '9.9.9', MobileVersions: null },
    },
  ];

  it('environments: list (with and without trailing slash), one, unknown', async () => {
    await conforms('GET', '/environments/', 200);
    await conforms('GET', '/environments', 200);
    await conforms('GET', `/environments/${env.dev}/`, 200);
    await conforms('GET', '/environments/00000000-0000-0000-0000-000000000000/', 404);
  });

  it('applications: list and get, with and without status and modules, bad combination, unknown', async () => {
    await conforms('GET', '/applications/', 200);
    await conforms('GET', '/applications/?IncludeModules=true&IncludeEnvStatus=true', 200);
    await conforms('GET', '/applications/?IncludeModules=true', 400);
    await conforms('GET', `/applications/${app.portal}/?IncludeModules=True&IncludeEnvStatus=True`, 200);
    await conforms('GET', `/applications/${app.core}`, 200);
    await conforms('GET', `/applications/${app.core}/?IncludeModules=true`, 400);
    await conforms('GET', '/applications/00000000-0000-0000-0000-000000000000/', 404);
  });

  it('running application in one environment: mobile status, not running, bad combination', async () => {
    await conforms(
      'GET',
      `/environments/${env.acc}/applications/${app.field}/?IncludeEnvStatus=true&IncludeModules=true`,
      200,
    );
    await conforms('GET', `/environments/${env.dev}/applications/${app.portal}?IncludeEnvStatus=true`, 200);
    await conforms('GET', `/environments/${env.dev}/applications/${app.field}/`, 404);
    await conforms('GET', `/environments/${env.acc}/applications/${app.field}/?IncludeModules=true`, 400);
  });

  it('versions: list, bad maximum, unknown application, one, unknown version', async () => {
    const list = await conforms('GET', `/applications/${app.field}/versions`, 200);
    assert.ok((jsonBody(list) as ApplicationVersion[]).some((v) => (v.MobileVersions ?? []).length > 0));
    await conforms('GET', `/applications/${app.core}/versions/?MaximumVersionsToReturn=-1`, 400);
    await conforms('GET', '/applications/00000000-0000-0000-0000-000000000000/versions/', 404);
    await conforms('GET', `/applications/${app.core}/versions/${version.core}/`, 200);
    await conforms('GET', `/applications/${app.core}/versions/00000000-0000-0000-0000-000000000000/`, 404);
  });

  it('content: download link with its Expires header, no binary, unknown', async () => {
    const res = await conforms('GET', `/applications/${app.core}/versions/${version.core}/content/`, 200);
    assert.ok((jsonBody(res) as DownloadLink).url);
    await conforms('GET', `/applications/${app.field}/versions/${version.noBinary}/content/`, 204);
    await conforms('GET', `/applications/${app.core}/versions/00000000-0000-0000-0000-000000000000/content/`, 404);
  });

  it('tag creation: 201, duplicate 400, not running 404', async () => {
    const path = `/environments/${env.acc}/applications/${app.portal}/versions/`;
    await conforms('POST', path, 201, { ChangeLog: 'Release 2.1', Version: '2.1.0', MobileVersions: null });
    await conforms('POST', path, 400, { ChangeLog: 'Release 2.1', Version: '2.1.0', MobileVersions: [] });
    await conforms('POST', `/environments/${env.dev}/applications/${app.field}/versions/`, 404, { Version: '1.0' });
  });

  it('every documented 403 and 500 Exception body, as a faulting LifeTime would send it', async () => {
    for (const e of endpoints()) {
      for (const status of [403, 500]) {
        const contract = swagger.contract(e.method, e.path, status);
        if (!contract?.documented) continue;
        lt.injectFault({ kind: 'status', method: e.method, path: e.path.split('?')[0] ?? '', status });
        await conforms(e.method, e.path, status, e.body);
      }
    }
    assert.ok(checked.has('GET /environments/ 500'));
    assert.ok(checked.has('POST /environments/{EnvironmentKey}/applications/{ApplicationKey}/versions/ 403'));
  });

  it('401 on every endpoint: an Exception body (the status is undocumented, [UNK] §1.1)', async () => {
    for (const e of endpoints()) {
      const res = await rawRequest(lt.apiBase + e.path, {
        method: e.method,
        ...(e.body === undefined ? {} : { body: JSON.stringify(e.body) }),
      });
      assert.equal(res.status, 401, e.path);
      const json = jsonBody(res);
      assert.ok(exception(json), `${e.path}: ${JSON.stringify(exception.errors)}`);
    }
  });

  it('covered every endpoint the client uses with each status the emulator produces', () => {
    const expected = [
      'GET /environments/ 200',
      'GET /environments/{EnvironmentKey}/ 200',
      'GET /environments/{EnvironmentKey}/ 404',
      'GET /applications/ 200',
      'GET /applications/ 400',
      'GET /applications/{ApplicationKey}/ 200',
      'GET /applications/{ApplicationKey}/ 400',
      'GET /applications/{ApplicationKey}/ 404',
      'GET /environments/{EnvironmentKey}/applications/{ApplicationKey}/ 200',
      'GET /environments/{EnvironmentKey}/applications/{ApplicationKey}/ 400',
      'GET /environments/{EnvironmentKey}/applications/{ApplicationKey}/ 404',
      'GET /applications/{ApplicationKey}/versions/ 200',
      'GET /applications/{ApplicationKey}/versions/ 400',
      'GET /applications/{ApplicationKey}/versions/ 404',
      'GET /applications/{ApplicationKey}/versions/{VersionKey}/ 200',
      'GET /applications/{ApplicationKey}/versions/{VersionKey}/ 404',
      'GET /applications/{ApplicationKey}/versions/{VersionKey}/content/ 200',
      'GET /applications/{ApplicationKey}/versions/{VersionKey}/content/ 204',
      'GET /applications/{ApplicationKey}/versions/{VersionKey}/content/ 404',
      'POST /environments/{EnvironmentKey}/applications/{ApplicationKey}/versions/ 201',
      'POST /environments/{EnvironmentKey}/applications/{ApplicationKey}/versions/ 400',
      'POST /environments/{EnvironmentKey}/applications/{ApplicationKey}/versions/ 404',
    ];
    assert.deepEqual(
      expected.filter((k) => !checked.has(k)),
      [],
    );
  });

  it('looks schemas up by path, keeping slash variants and literal segments apart', () => {
    assert.equal(swagger.pathKeyFor('GET', '/lifetimeapi/rest/v2/environments/abc'), '/environments/{EnvironmentKey}/');
    assert.equal(
      swagger.pathKeyFor('DELETE', '/lifetimeapi/rest/v2/environments/abc/'),
      '/environments/{EnvironmentKey}',
    );
    assert.equal(swagger.pathKeyFor('GET', '/environments/blockedipaddresses/'), '/environments/blockedipaddresses/');
    assert.equal(swagger.pathKeyFor('GET', '/lifetimeapi/rest/v2/downloads/abc'), undefined);
    const closedApplication = swagger.definition('Application', true);
    assert.equal(closedApplication({ Name: 'A', Kind: 'WebResponsive', ApplicationStatusInEnvs: [] }), false);
    assert.equal(swagger.definition('Application')({ Key: 'k' }), false, 'Name and Kind are required');
  });
});
