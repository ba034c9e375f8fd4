import * as assert from 'node:assert/strict';
import { HttpClient } from '../../shared/http/client';
import { HttpRequestError } from '../../shared/http/errors';
import { defaultHttpSettings, type HttpSettings } from '../../shared/http/settings';
import { startServer, unusedPort, type Loopback } from './loopback';

const TOKEN = 'tok-SECRET-1234567890';

function fastSettings(overrides: Partial<HttpSettings> = {}): HttpSettings {
  return defaultHttpSettings({ timeoutMs: 2000, retries: 3, backoffBaseMs: 1, backoffMaxMs: 5, ...overrides });
}

function client(overrides: Partial<HttpSettings> = {}, log: string[] = []): HttpClient {
  return new HttpClient(fastSettings(overrides), { log: (line) => log.push(line) });
}

async function rejection(promise: Promise<unknown>): Promise<HttpRequestError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpRequestError, `expected HttpRequestError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('HttpClient', () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('retries a 503 and returns the 200 that follows', async () => {
    server = await startServer((_req, res, hit) => {
      res.writeHead(hit === 1 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(hit === 1 ? '' : '{"ok":true}');
    });
    const log: string[] = [];
    const response = await client({}, log).request(`${server.url}/api/x`, {
      what: 'thing "X"',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.body.toString(), '{"ok":true}');
    assert.equal(response.attempts, 2);
    assert.equal(server.hits.length, 2);
    assert.match(log.join('\n'), /GET http:\/\/127\.0\.0\.1:\d+\/api\/x for thing "X" answered 503; attempt 2 of 4/);
    assert.ok(!log.join('\n').includes(TOKEN));
  });

  it('gives up after the configured retries and hands back the last status', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const log: string[] = [];
    const response = await client({ retries: 2 }, log).request(`${server.url}/busy`, {
      what: 'thing',
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(response.status, 503);
    assert.equal(response.attempts, 3);
    assert.equal(server.hits.length, 3);
    assert.equal(log.length, 2);
    assert.ok(!log.join('\n').includes(TOKEN));
  });

  it('retries 429, 502 and 504 too, and honours Retry-After capped by backoffMaxMs', async () => {
    const statuses = [429, 502, 504];
    server = await startServer((_req, res, hit) => {
      const status = statuses[hit - 1] ?? 200;
      res.writeHead(status, status === 429 ? { 'retry-after': '3600' } : {});
      res.end();
    });
    const log: string[] = [];
    const response = await client({ retries: 3, backoffMaxMs: 7 }, log).request(`${server.url}/`, { what: 'thing' });
    assert.equal(response.status, 200);
    assert.equal(server.hits.length, 4);
    // An hour-long Retry-After is capped to backoffMaxMs instead of blocking the pipeline.
    assert.match(log[0] ?? '', /answered 429; attempt 2 of 4 in 7 ms/);
  });

  it('does not retry other error statuses', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(500);
      res.end('boom');
    });
    const response = await client().request(`${server.url}/`, { what: 'thing' });
    assert.equal(response.status, 500);
    assert.equal(server.hits.length, 1);
  });

  it('never repeats a POST, not even on 503', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const response = await client().request(`${server.url}/tag`, { method: 'POST', body: '{}', what: 'tag' });
    assert.equal(response.status, 503);
    assert.equal(server.hits.length, 1);
  });

  it('reports a POST whose connection was lost after sending as possibly sent, and does not repeat it', async () => {
    server = await startServer((req) => {
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    const error = await rejection(
      client().request(`${server.url}/tag`, { method: 'POST', body: '{"Version":"1.0"}', what: 'tag "1.0"' }),
    );
    assert.equal(error.details.kind, 'network');
    assert.equal(error.details.requestSent, true);
    assert.equal(server.hits.length, 1);
  });

  it('reports a refused connection as not sent', async () => {
    const port = await unusedPort();
    const error = await rejection(
      client({ retries: 1 }).request(`http://127.0.0.1:${port}/tag`, { method: 'POST', body: '{}', what: 'tag' }),
    );
    assert.equal(error.details.kind, 'network');
    assert.equal(error.details.requestSent, false);
    assert.match(error.message, /could not reach http:\/\/127\.0\.0\.1:\d+ for tag: .*ECONNREFUSED/);
  });

  it('retries a GET whose connection was reset before the response', async () => {
    server = await startServer((req, res, hit) => {
      if (hit === 1) {
        req.socket.destroy();
        return;
      }
      res.end('fine');
    });
    const response = await client().request(`${server.url}/`, { what: 'thing' });
    assert.equal(response.body.toString(), 'fine');
    assert.equal(server.hits.length, 2);
  });

  it('fails clearly when no response headers arrive in time', async () => {
    server = await startServer(() => undefined);
    const error = await rejection(
      client({ timeoutMs: 100, retries: 1 }).request(`${server.url}/slow?x=1`, { what: 'application "Slow"' }),
    );
    assert.equal(error.details.kind, 'timeout');
    assert.equal(error.details.attempts, 2);
    assert.match(
      error.message,
      /^no response from http:\/\/127\.0\.0\.1:\d+ within 100 ms for application "Slow" \(GET http:\/\/127\.0\.0\.1:\d+\/slow, 2 attempts\)$/,
    );
  });

  it('times out a buffered body that stalls', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
    });
    const error = await rejection(client({ timeoutMs: 100, retries: 0 }).request(`${server.url}/`, { what: 'thing' }));
    assert.equal(error.details.kind, 'timeout');
  });

  it('times out a streamed body after a pause, not after the total transfer time', async () => {
    let stall = false;
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-length': '2000' });
      let sent = 0;
      const tick = setInterval(() => {
        if (stall && sent >= 1000) return;
        res.write(Buffer.alloc(100));
        sent += 100;
        if (sent >= 2000) {
          clearInterval(tick);
          res.end();
        }
      }, 25);
      res.on('close', () => clearInterval(tick));
    });
    const http = client({ timeoutMs: 300, retries: 0 });
    // 20 chunks 25 ms apart take longer than the timeout in total, but never pause for 300 ms.
    const full = await http.openStream(`${server.url}/`, { what: 'package' });
    let bytes = 0;
    for await (const chunk of full.body) bytes += (chunk as Buffer).length;
    assert.equal(bytes, 2000);

    stall = true;
    const stalled = await http.openStream(`${server.url}/`, { what: 'package' });
    let received = 0;
    const error = await rejection(
      (async () => {
        for await (const chunk of stalled.body) received += (chunk as Buffer).length;
      })(),
    );
    assert.equal(error.details.kind, 'timeout');
    assert.equal(error.details.duringBody, true);
    assert.equal(received, 1000);
  });

  it('fails a streamed body at once when the connection closes before Content-Length bytes', async () => {
    server = await startServer((req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(300), () => setTimeout(() => req.socket.destroy(), 20));
    });
    // A long timeout: the failure must come from the cut connection, not from the idle timer.
    const response = await client({ timeoutMs: 30_000 }).openStream(`${server.url}/`, { what: 'package' });
    let received = 0;
    const error = await rejection(
      (async () => {
        for await (const chunk of response.body) received += (chunk as Buffer).length;
      })(),
    );
    assert.equal(error.details.kind, 'network');
    assert.equal(error.details.duringBody, true);
    assert.equal(received, 300);
    assert.match(error.message, /connection closed before the whole body arrived/);
  });

  it('stops waiting and does not retry when the signal aborts', async () => {
    server = await startServer(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(
      client({ timeoutMs: 10_000 }).request(`${server.url}/`, { what: 'thing', signal: controller.signal }),
    );
    assert.equal(error.details.kind, 'aborted');
    assert.equal(server.hits.length, 1);
  });

  it('keeps Authorization on a same-origin redirect and drops it on another origin', async () => {
    const other = await startServer((req, res) => {
      res.end(req.headers.authorization ?? 'none');
    });
    try {
      server = await startServer((req, res) => {
        if (req.url === '/same') {
          res.writeHead(302, { location: '/here' });
          res.end();
        } else if (req.url === '/away') {
          res.writeHead(307, { location: `${other.url}/there` });
          res.end();
        } else {
          res.end(req.headers.authorization ?? 'none');
        }
      });
      const http = client();
      const headers = { Authorization: `Bearer ${TOKEN}` };
      const same = await http.request(`${server.url}/same`, { what: 'thing', headers });
      assert.equal(same.body.toString(), `Bearer ${TOKEN}`);
      const away = await http.request(`${server.url}/away`, { what: 'thing', headers });
      assert.equal(away.body.toString(), 'none');
      assert.equal(away.url, `${other.url}/there`);
    } finally {
      await other.close();
    }
  });
});
