import * as assert from 'node:assert/strict';
import { HttpClient } from '../../shared/http/client';
import { HttpRequestError } from '../../shared/http/errors';
import { defaultHttpSettings, type HttpSettings } from '../../shared/http/settings';
import { TEST_CA_FILE, startProxy, startServer, type Loopback, type LoopbackProxy } from './loopback';

function settings(overrides: Partial<HttpSettings>): HttpSettings {
  return defaultHttpSettings({ timeoutMs: 5000, retries: 0, backoffBaseMs: 1, backoffMaxMs: 5, ...overrides });
}

const echoPath = (req: { url?: string | undefined }, res: { end(text: string): void }): void =>
  res.end(`path ${req.url ?? ''}`);

describe('HTTP agents: certificates and proxies', () => {
  let server: Loopback | undefined;
  let proxy: LoopbackProxy | undefined;
  afterEach(async () => {
    await server?.close();
    await proxy?.close();
    server = undefined;
    proxy = undefined;
  });

  it('trusts a server signed by the configured CA file', async () => {
    server = await startServer(echoPath, { tls: true });
    const http = new HttpClient(settings({ tls: { caFile: TEST_CA_FILE, rejectUnauthorized: true } }));
    const response = await http.request(`${server.url}/secure`, { what: 'thing' });
    assert.equal(response.body.toString(), 'path /secure');
  });

  it('refuses that server without the CA, naming the certificate problem', async () => {
    server = await startServer(echoPath, { tls: true });
    const http = new HttpClient(settings({ tls: { rejectUnauthorized: true } }));
    const error = await http.request(`${server.url}/secure`, { what: 'thing' }).then(
      () => assert.fail('a certificate from an unknown CA was accepted'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof HttpRequestError);
    assert.equal(error.details.kind, 'network');
    assert.equal(error.details.requestSent, false);
    assert.match(error.message, /certificate/i);
  });

  it('skips verification only when told to', async () => {
    server = await startServer(echoPath, { tls: true });
    const http = new HttpClient(settings({ tls: { rejectUnauthorized: false } }));
    const response = await http.request(`${server.url}/`, { what: 'thing' });
    assert.equal(response.status, 200);
  });

  it('names a CA file it cannot read', () => {
    assert.throws(
      () => new HttpClient(settings({ tls: { caFile: '/nonexistent/ca.pem', rejectUnauthorized: true } })),
      /cannot read the CA certificate file \/nonexistent\/ca\.pem \(ENOENT\)/,
    );
  });

  it('tunnels https through the proxy with CONNECT, with proxy credentials', async () => {
    server = await startServer(echoPath, { tls: true });
    proxy = await startProxy();
    const http = new HttpClient(
      settings({
        proxy: { url: proxy.url, username: 'svc', password: 'p@ss:word' },
        tls: { caFile: TEST_CA_FILE, rejectUnauthorized: true },
      }),
    );
    const response = await http.request(`${server.url}/via-proxy`, { what: 'thing' });
    assert.equal(response.body.toString(), 'path /via-proxy');
    const authority = new URL(server.url).host;
    assert.deepEqual(proxy.uses, [
      {
        method: 'CONNECT',
        target: authority,
        proxyAuthorization: `Basic ${Buffer.from('svc:p@ss:word').toString('base64')}`,
      },
    ]);
  });

  it('forwards plain http through the proxy in absolute-URI form', async () => {
    server = await startServer(echoPath);
    proxy = await startProxy();
    const http = new HttpClient(settings({ proxy: { url: proxy.url, username: 'svc', password: 'pw' } }));
    const response = await http.request(`${server.url}/plain?q=1`, { what: 'thing' });
    assert.equal(response.body.toString(), 'path /plain?q=1');
    assert.deepEqual(proxy.uses, [
      {
        method: 'GET',
        target: `${server.url}/plain?q=1`,
        proxyAuthorization: `Basic ${Buffer.from('svc:pw').toString('base64')}`,
      },
    ]);
    assert.equal(server.hits[0]?.headers['proxy-authorization'], undefined);
  });

  it('goes direct for a URL on the bypass list', async () => {
    server = await startServer(echoPath);
    proxy = await startProxy();
    const http = new HttpClient(settings({ proxy: { url: proxy.url, bypass: [/127\.0\.0\.1/i] } }));
    const response = await http.request(`${server.url}/direct`, { what: 'thing' });
    assert.equal(response.body.toString(), 'path /direct');
    assert.deepEqual(proxy.uses, []);
  });
});
