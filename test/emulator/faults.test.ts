import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DownloadLink, Environment, LifeTimeErrorBody } from '../../shared/lifetime/types';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { jsonBody, rawRequest, type RawResponse } from '../../tools/emulator/httpRequest';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';
import { throwAwayCertificate } from '../../tools/throwAwayCertificate';

const bearer = { Authorization: `Bearer ${testToken}` };

describe('LifeTime emulator: faults', () => {
  let lt: LifeTimeEmulator;
  const get = (p: string): Promise<RawResponse> => rawRequest(lt.apiBase + p, { headers: bearer });
  const tagPath = (): string =>
    `/environments/${accKey}/applications/${lt.application('Customer Core')?.key ?? ''}/versions/`;
  const tag = (version: string): Promise<RawResponse> =>
    rawRequest(lt.apiBase + tagPath(), { method: 'POST', headers: bearer, body: JSON.stringify({ Version: version }) });
  let accKey: string;

  beforeEach(async () => {
    lt = await LifeTimeEmulator.start(developmentSpec());
    const envs = jsonBody(await get('/environments')) as Environment[];
    accKey = envs.find((e) => e.Name === 'Acceptance')?.Key ?? '';
  });
  afterEach(() => lt.close());

  async function link(appName = 'Customer Portal'): Promise<string> {
    const app = lt.application(appName);
    const [latest] = lt.versions(appName);
    const res = await get(`/applications/${app?.key ?? ''}/versions/${latest?.Key ?? ''}/content/`);
    return (jsonBody(res) as DownloadLink).url ?? '';
  }

  it('answers an injected status with an Exception body and Retry-After, then recovers', async () => {
    lt.injectFault({ kind: 'status', path: '/environments', status: 503, retryAfterSeconds: 7 });
    const failed = await get('/environments/');
    assert.equal(failed.status, 503);
    assert.equal(failed.headers['retry-after'], '7');
    assert.deepEqual((jsonBody(failed) as LifeTimeErrorBody).StatusCode, 503);
    assert.equal((await get('/environments/')).status, 200, 'times defaults to 1');
    assert.deepEqual(
      lt.requests.slice(-2).map((r) => [r.status, r.faulted]),
      [
        [503, 'status'],
        [200, undefined],
      ],
    );
  });

  it('sends a given body or raw body with an injected status', async () => {
    lt.injectFault({ kind: 'status', path: '/applications', status: 500, body: { Errors: ['boom'], StatusCode: 500 } });
    lt.injectFault({ kind: 'status', path: '/applications', status: 502, rawBody: '{"Errors": [' });
    assert.deepEqual(jsonBody(await get('/applications/')), { Errors: ['boom'], StatusCode: 500 });
    const raw = await get('/applications/');
    assert.equal(raw.status, 502);
    assert.equal(raw.body.toString(), '{"Errors": [');
  });

  it('fires faults in order of injection, `times` times, matching method and path (string or RegExp)', async () => {
    lt.injectFault({ kind: 'status', method: 'POST', path: '/environments', status: 500 });
    lt.injectFault({ kind: 'status', path: /\/applications\/?$/, status: 502, times: 2 });
    lt.injectFault({ kind: 'status', path: '/applications', status: 504 });
    assert.equal((await get('/environments/')).status, 200, 'the POST fault leaves GET alone');
    assert.equal((await get('/applications')).status, 502);
    assert.equal((await get('/applications/')).status, 502);
    assert.equal((await get('/applications/')).status, 504);
    assert.equal((await get('/applications/')).status, 200);
    assert.equal((await tag('1.2.0')).status, 500, 'the POST fault was still waiting');
    assert.equal(lt.running('Acceptance', 'Customer Core')?.version, '1.1.0', 'a status fault processes nothing');
  });

  it('clears pending faults', async () => {
    lt.injectFault({ kind: 'status', path: '/', status: 500, times: 5 });
    lt.clearFaults();
    assert.equal((await get('/environments/')).status, 200);
  });

  it('drops the connection before any response, without processing the request', async () => {
    lt.injectFault({ kind: 'reset-before-body', method: 'POST', path: '/versions' });
    await assert.rejects(tag('1.2.0'));
    assert.equal(lt.running('Acceptance', 'Customer Core')?.version, '1.1.0');
    assert.deepEqual([lt.requests.at(-1)?.status, lt.requests.at(-1)?.faulted], [0, 'reset-before-body']);
  });

  it('processes the request and then drops the connection (reset-after-request)', async () => {
    lt.injectFault({ kind: 'reset-after-request', method: 'POST', path: '/versions' });
    await assert.rejects(tag('1.2.0'));
    assert.equal(lt.running('Acceptance', 'Customer Core')?.version, '1.2.0', 'the tag was created');
    assert.equal((await tag('1.2.0')).status, 400, 'a blind retry meets the duplicate');
  });

  it('breaks a download mid-body (reset) or ends it early (truncate), after part of Content-Length', async () => {
    const size = fs.statSync(lt.packagePath('Customer Portal', '2.0.0')).size;
    for (const kind of ['reset-mid-body', 'truncate-body'] as const) {
      const url = await link();
      lt.injectFault({ kind, path: '/downloads/' });
      const res = await rawRequest(url);
      assert.equal(res.status, 200, kind);
      assert.equal(Number(res.headers['content-length']), size, kind);
      assert.equal(res.complete, false, kind);
      assert.ok(res.body.length < size, `${kind}: ${res.body.length} of ${size} bytes`);
      const retry = await rawRequest(url);
      assert.equal(retry.body.length, size, `${kind}: the link still works afterwards`);
    }
  });

  it('truncates a JSON body too', async () => {
    lt.injectFault({ kind: 'truncate-body', path: '/environments' });
    const res = await get('/environments/');
    assert.equal(res.complete, false);
    assert.throws(() => JSON.parse(res.body.toString()) as unknown);
  });

  it('answers an HTML page instead of JSON (non-json-body)', async () => {
    lt.injectFault({ kind: 'non-json-body', path: '/applications' });
    const res = await get('/applications/');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.throws(() => jsonBody(res), /Expected JSON/);
  });

  it('makes the next download of a link answer 404 as if expired (expired-link)', async () => {
    const url = await link();
    lt.injectFault({ kind: 'expired-link', path: '/downloads/' });
    assert.equal((await get('/environments/')).status, 200, 'an API call does not consume it');
    const res = await rawRequest(url);
    assert.equal(res.status, 404);
    assert.equal(lt.requests.at(-1)?.faulted, 'expired-link');
    assert.equal((await rawRequest(url)).status, 404, 'that link stays expired');
    assert.equal((await rawRequest(await link())).status, 200, 'a new link works');
  });

  it('still answers after slow headers or added latency, and logs the fault', async () => {
    lt.injectFault({ kind: 'slow-headers', path: '/environments', ms: 30 });
    lt.injectFault({ kind: 'latency', path: '/environments', ms: 30 });
    assert.equal((await get('/environments/')).status, 200);
    assert.equal((await get('/environments/')).status, 200);
    assert.deepEqual(
      lt.requests.slice(-2).map((r) => r.faulted),
      ['slow-headers', 'latency'],
    );
    lt.setLatency(5);
    assert.equal((await get('/environments/')).status, 200);
  });

  it('closes promptly while a slow response is pending', async () => {
    lt.injectFault({ kind: 'slow-headers', path: '/environments', ms: 600_000 });
    const pending = assert.rejects(get('/environments/'));
    await new Promise((r) => setTimeout(r, 20));
    await lt.close();
    await pending;
  });

  it('serves over TLS with the given certificate', async function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-tls-'));
    try {
      let certificate: { key: string; cert: string } | undefined;
      try {
        certificate = throwAwayCertificate(dir);
      } catch {
        this.skip();
      }
      const { key, cert } = certificate;
      const secure = await LifeTimeEmulator.start(developmentSpec(), {
        tls: { key: fs.readFileSync(key), cert: fs.readFileSync(cert) },
      });
      try {
        assert.match(secure.url, /^https:\/\/127\.0\.0\.1:\d+$/);
        const res = await rawRequest(`${secure.apiBase}/environments/`, { headers: bearer, ca: fs.readFileSync(cert) });
        assert.equal(res.status, 200);
        const link = await rawRequest(
          `${secure.apiBase}/applications/${secure.application('Customer Core')?.key ?? ''}/versions/${secure.versions('Customer Core')[0]?.Key ?? ''}/content/`,
          { headers: bearer, ca: fs.readFileSync(cert) },
        );
        assert.match(
          (jsonBody(link) as DownloadLink).url ?? '',
          /^https:\/\/127\.0\.0\.1:\d+\/lifetimeapi\/rest\/v2\/downloads\//,
        );
      } finally {
        await secure.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
