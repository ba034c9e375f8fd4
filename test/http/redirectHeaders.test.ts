import * as assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpClient } from '../../shared/http/client';
import { HttpRequestError } from '../../shared/http/errors';
import { defaultHttpSettings } from '../../shared/http/settings';
import { TEST_CA_FILE, startServer, type Loopback } from './loopback';

const PROBE_KEY = 'probe-key-SECRET-5f1e2d3c';
const TOKEN = 'tok-SECRET-1234567890';

function client(): HttpClient {
  return new HttpClient(
    defaultHttpSettings({
      timeoutMs: 2000,
      retries: 2,
      backoffBaseMs: 1,
      backoffMaxMs: 5,
      tls: { caFile: TEST_CA_FILE, rejectUnauthorized: true },
    }),
  );
}

const credentialHeaders = {
  Accept: 'application/json',
  'User-Agent': 'airgap-test',
  Authorization: `Bearer ${TOKEN}`,
  'X-CICDProbe-Key': PROBE_KEY,
  Cookie: `session=${TOKEN}`,
};

describe('HttpClient redirects to another origin', () => {
  const servers: Loopback[] = [];
  const seen: IncomingHttpHeaders[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    seen.length = 0;
  });

  async function landing(): Promise<Loopback> {
    const server = await startServer((req, res) => {
      seen.push(req.headers);
      res.end('landed');
    });
    servers.push(server);
    return server;
  }

  it('sends only the allowlisted headers to the other origin (127.0.0.1 → localhost)', async () => {
    const other = await landing();
    const otherPort = new URL(other.url).port;
    const probe = await startServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(302, { location: `http://localhost:${otherPort}/login` });
      res.end();
    });
    servers.push(probe);
    const response = await client().request(`${probe.url}/CI_CDProbe/rest/v1/x`, {
      what: 'thing',
      headers: credentialHeaders,
    });
    assert.equal(response.status, 200);
    assert.equal(response.url, `http://localhost:${otherPort}/login`);
    assert.equal(seen.length, 2);
    const [first, second] = seen;
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(first['x-cicdprobe-key'], PROBE_KEY, 'the first origin gets its key');
    assert.equal(second['x-cicdprobe-key'], undefined);
    assert.equal(second.authorization, undefined);
    assert.equal(second.cookie, undefined);
    assert.equal(second.accept, 'application/json');
    assert.equal(second['user-agent'], 'airgap-test');
    assert.ok(!JSON.stringify(second).includes(PROBE_KEY) && !JSON.stringify(second).includes(TOKEN));
  });

  it('keeps the custom header on a same-origin redirect', async () => {
    const server = await startServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/from') {
        res.writeHead(307, { location: '/to' });
        res.end();
      } else {
        res.end('ok');
      }
    });
    servers.push(server);
    await client().request(`${server.url}/from`, { what: 'thing', headers: credentialHeaders });
    assert.equal(seen[1]?.['x-cicdprobe-key'], PROBE_KEY);
  });

  it('refuses an https → http redirect, naming both origins and no header value', async () => {
    const other = await landing();
    const secure = await startServer(
      (_req, res) => {
        res.writeHead(302, { location: `${other.url}/login` });
        res.end();
      },
      { tls: true },
    );
    servers.push(secure);
    let failure: unknown;
    try {
      await client().request(`${secure.url}/api`, { what: 'thing "X"', headers: credentialHeaders });
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof HttpRequestError, `expected HttpRequestError, got ${String(failure)}`);
    assert.ok(failure.message.includes(secure.url), failure.message);
    assert.ok(failure.message.includes(other.url), failure.message);
    assert.match(failure.message, /refused to follow a redirect/);
    assert.ok(!failure.message.includes(PROBE_KEY) && !failure.message.includes(TOKEN));
    assert.equal(secure.hits.length, 1, 'not retried');
    assert.equal(seen.length, 0, 'the http server was never contacted');
  });
});
