import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings } from '../../shared/http/settings';
import { startServer, type Loopback } from './loopback';

/** A body of `chunks` pieces, each after `gapMs`: a slow upload. */
function slowBody(chunks: number, bytes: number, gapMs: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === chunks) {
        this.push(null);
        return;
      }
      sent++;
      setTimeout(() => this.push(Buffer.alloc(bytes, sent)), gapMs);
    },
  });
}

describe('HttpClient: a streamed request body (an upload)', () => {
  let server: Loopback | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('sends the stream as it is read, once, and keeps the timeout alive while it moves', async () => {
    const received: string[] = [];
    server = await startServer((req, res) => {
      const hash = createHash('sha256');
      req.on('data', (c: Buffer) => hash.update(c));
      req.on('end', () => {
        received.push(hash.digest('hex'));
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('ok');
      });
    });
    // 8 chunks 150 ms apart: 1.2 s in all, longer than the 500 ms timeout, never idle that long.
    const http = new HttpClient(defaultHttpSettings({ timeoutMs: 500, retries: 3, backoffBaseMs: 1, backoffMaxMs: 5 }));
    const response = await http.request(`${server.url}/upload`, {
      method: 'POST',
      body: slowBody(8, 1024, 150),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(8 * 1024) },
      idempotent: false,
      what: 'a package',
    });
    assert.equal(response.status, 201);
    const expected = createHash('sha256');
    for (let i = 1; i <= 8; i++) expected.update(Buffer.alloc(1024, i));
    assert.deepEqual(received, [expected.digest('hex')]);
  });

  it('refuses a stream for a request marked idempotent, since it could not be sent again', async () => {
    const http = new HttpClient(defaultHttpSettings());
    await assert.rejects(
      http.request('http://127.0.0.1:9/never', {
        method: 'PUT',
        body: Readable.from([]),
        idempotent: true,
        what: 'a package',
      }),
      /a streamed body can be sent only once: a package must not be marked idempotent/,
    );
  });
});
