/**
 * The direct download path (shared/http/rawGet/): the package goes from the socket into the file
 * without node:http's streams. Real servers on loopback (node:http, node:https with the TEST-ONLY
 * CA, and a raw TCP server for framing the node server would never produce); LifeTime is the
 * emulator, whose content link is pointed at them.
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings } from '../../shared/http/settings';
import type { LifeTimeClient } from '../../shared/lifetime/client';
import { LifeTimeCancelledError } from '../../shared/lifetime/errors';
import { HashedFile } from '../../shared/lifetime/hashedFile';
import { TEST_CA_FILE, startProxy, startServer, type Loopback } from '../http/loopback';
import { PORTAL_LABEL, downloadWorld, rejection } from './downloadTestKit';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** A TCP server that answers every connection with these pieces, written apart so they arrive apart. */
async function rawServer(pieces: readonly (string | Buffer)[]): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      let i = 0;
      const next = (): void => {
        const piece = pieces[i++];
        if (piece === undefined) {
          socket.end();
          return;
        }
        socket.write(piece, () => setTimeout(next, 5));
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('direct download path', () => {
  const world = downloadWorld();
  const { log, client } = world;
  const servers: { close(): Promise<void> }[] = [];
  /** 10 MiB and a bit: several read buffers, and a last one that is not full. */
  const payload = randomBytes(10 * 1024 * 1024 + 12345);

  /** Points the next content link at `url` and downloads through it. */
  async function downloadFrom(url: string, lt: LifeTimeClient, name: string, signal?: AbortSignal) {
    world.emulator.injectFault({ path: '/content', kind: 'status', status: 200, body: { url } });
    const { appKey, versionKey } = await world.portal(lt);
    const destination = path.join(world.dir, name);
    const result = await lt.downloadVersion(appKey, versionKey, destination, {
      label: PORTAL_LABEL,
      ...(signal !== undefined ? { signal } : {}),
    });
    return { result, destination };
  }

  async function serve(...args: Parameters<typeof startServer>): Promise<Loopback> {
    const server = await startServer(...args);
    servers.push(server);
    return server;
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('takes the direct path for a Content-Length body across several buffers, with its sha256', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    });
    const { result, destination } = await downloadFrom(`${server.url}/blob`, client(), 'length.oap');
    assert.equal(result.transfer, 'direct');
    assert.equal(result.bytes, payload.length);
    assert.equal(result.sha256, sha256(payload));
    assert.ok(fs.readFileSync(destination).equals(payload));
  });

  it('decodes a chunked body', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      // Uneven pieces, each its own chunk.
      let at = 0;
      for (const size of [1, 70_000, 3_000_000, 17]) {
        res.write(payload.subarray(at, at + size));
        at += size;
      }
      res.end(payload.subarray(at));
    });
    const { result, destination } = await downloadFrom(`${server.url}/chunked`, client(), 'chunked.oap');
    assert.equal(result.transfer, 'direct');
    assert.equal(result.sha256, sha256(payload));
    assert.ok(fs.readFileSync(destination).equals(payload));
  });

  it('decodes chunk sizes, extensions and trailers split anywhere', async () => {
    const body = Buffer.from('hello, chunked world');
    const server = await rawServer([
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConne',
      'ction: close\r\n\r\n5\r',
      '\nhello\r\n',
      'F;ext=1\r\n, chunked w',
      'orld\r\n0\r\nX-Trailer: yes\r',
      '\n\r\n',
    ]);
    servers.push(server);
    const { result, destination } = await downloadFrom(`${server.url}/raw`, client(), 'raw-chunked.oap');
    assert.equal(result.sha256, sha256(body));
    assert.equal(fs.readFileSync(destination, 'utf8'), body.toString('utf8'));
  });

  it('reads a body without Content-Length to the end of the connection, after an interim 100', async () => {
    const body = Buffer.from('until the server closes');
    const server = await rawServer([
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n',
      '\r\nuntil the ',
      'server closes',
    ]);
    servers.push(server);
    const { result } = await downloadFrom(`${server.url}/raw`, client(), 'close.oap');
    assert.equal(result.sha256, sha256(body));
  });

  it('fetches a cut body again from scratch, and names the cut when every attempt is cut', async () => {
    const server = await serve((_req, res, hit) => {
      res.writeHead(200, { 'content-length': payload.length });
      if (hit === 1) res.write(payload.subarray(0, 5_000_000), () => res.socket?.end());
      else res.end(payload);
    });
    const { result } = await downloadFrom(`${server.url}/cut`, client(), 'cut.oap');
    assert.equal(result.sha256, sha256(payload));
    assert.equal(server.hits.length, 2);

    const always = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, 1000), () => res.socket?.end());
    });
    const destination = path.join(world.dir, 'never.oap');
    world.emulator.injectFault({ path: '/content', kind: 'status', status: 200, body: { url: `${always.url}/cut` } });
    const lt = client();
    const { appKey, versionKey } = await world.portal(lt);
    const error = await rejection(lt.downloadVersion(appKey, versionKey, destination, { label: PORTAL_LABEL }));
    assert.match(
      error.message,
      new RegExp(
        `failed: connection closed before the whole body arrived after 1000 of ${payload.length} bytes \\(3 attempts\\)$`,
      ),
    );
    assert.equal(fs.existsSync(destination), false);
  });

  it('gives up on a stalled body after the timeout and fetches it again', async () => {
    const server = await serve((_req, res, hit) => {
      res.writeHead(200, { 'content-length': payload.length });
      if (hit === 1) res.write(payload.subarray(0, 100_000));
      else res.end(payload);
    });
    const { result } = await downloadFrom(`${server.url}/stall`, client({ timeoutMs: 300 }), 'stall.oap');
    assert.equal(result.sha256, sha256(payload));
    assert.equal(server.hits.length, 2);
  });

  it('retries a 503 and follows redirects, sending credentials only to the same origin', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    });
    const front = await serve((req, res, hit) => {
      if (hit === 1) {
        res.writeHead(503, { 'content-length': 4 });
        res.end('busy');
      } else if (req.url === '/first') {
        res.writeHead(302, { location: '/second', 'content-length': 0 });
        res.end();
      } else {
        res.writeHead(307, { location: `${target.url.replace('127.0.0.1', 'localhost')}/blob` });
        res.end('moved');
      }
    });
    const http = new HttpClient(
      defaultHttpSettings({ timeoutMs: 2000, retries: 2, backoffBaseMs: 1, backoffMaxMs: 5 }),
      {
        log: (line) => log.push(line),
      },
    );
    const destination = path.join(world.dir, 'redirected.oap');
    // Any write counts as slow here: after the first, the writes go through the thread pool.
    const file = new HashedFile(destination, undefined, -1);
    const response = await http.directGet(
      `${front.url}/first`,
      { what: 'a package', headers: { Authorization: 'Bearer same-origin-only', 'X-Key': 'k', Accept: '*/*' } },
      file,
    );
    await file.close();
    assert.ok(response !== undefined && 'bytes' in response);
    assert.equal(file.sha256(), sha256(payload));
    assert.ok(fs.readFileSync(destination).equals(payload));
    assert.deepEqual(
      front.hits.map((h) => [h.url, h.headers.authorization, h.headers['x-key']]),
      [
        ['/first', 'Bearer same-origin-only', 'k'],
        ['/first', 'Bearer same-origin-only', 'k'],
        ['/second', 'Bearer same-origin-only', 'k'],
      ],
    );
    assert.equal(log.length, 1, log.join('\n'));
    assert.match(log[0] ?? '', /answered 503; attempt 2 of 3/);
    assert.equal(target.hits.length, 1);
    assert.equal(target.hits[0]?.headers.authorization, undefined);
    assert.equal(target.hits[0]?.headers['x-key'], undefined);
    assert.equal(target.hits[0]?.headers.accept, '*/*');
  });

  it('refuses a redirect from https to http', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    });
    const secure = await serve(
      (_req, res) => {
        res.writeHead(302, { location: `${target.url}/blob` });
        res.end();
      },
      { tls: true },
    );
    const lt = client({ tls: { rejectUnauthorized: true, caFile: TEST_CA_FILE } });
    const error = await rejection(downloadFrom(`${secure.url}/down`, lt, 'downgrade.oap'));
    assert.match(
      error.message,
      /refused to follow a redirect from https:\/\/127\.0\.0\.1:\d+ to http:\/\/127\.0\.0\.1/,
    );
    assert.equal(target.hits.length, 0);
  });

  it('verifies TLS against the configured CA, and refuses a server it cannot verify', async () => {
    const server = await serve(
      (_req, res) => {
        res.writeHead(200, { 'content-length': payload.length });
        res.end(payload);
      },
      { tls: true },
    );
    const trusted = client({ tls: { rejectUnauthorized: true, caFile: TEST_CA_FILE } });
    const { result } = await downloadFrom(`${server.url}/tls`, trusted, 'tls.oap');
    assert.equal(result.transfer, 'direct');
    assert.equal(result.sha256, sha256(payload));

    const before = server.hits.length;
    const error = await rejection(downloadFrom(`${server.url}/tls`, client(), 'untrusted.oap'));
    assert.match(error.message, /could not reach LifeTime .*certificate/i);
    assert.equal(server.hits.length, before, 'no request reached the unverified server');
  });

  it('stops at once when cancelled mid-body, leaving no partial file', async () => {
    const controller = new AbortController();
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, 1_000_000), () => controller.abort());
    });
    const started = Date.now();
    const error = await rejection(downloadFrom(`${server.url}/cancel`, client(), 'cancel.oap', controller.signal));
    assert.ok(error instanceof LifeTimeCancelledError, `${error.name}: ${error.message}`);
    assert.ok(Date.now() - started < 1500, 'it did not wait for the stall timeout');
    assert.equal(fs.existsSync(path.join(world.dir, 'cancel.oap')), false);
    assert.equal(server.hits.length, 1);
  });

  it('names the file when it cannot be written', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    });
    const error = await rejection(downloadFrom(`${server.url}/blob`, client(), path.join('missing-folder', 'x.oap')));
    assert.match(error.message, /could not write application "Customer Portal" version 2\.0\.0 to .*missing-folder/);
  });

  it('takes the general path when the agent proxy applies, and the direct one when the link bypasses it', async () => {
    const proxy = await startProxy();
    servers.push(proxy);
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    });
    const viaProxy = client({ proxy: { url: proxy.url, bypass: [/\/lifetimeapi\//] } });
    const proxied = await downloadFrom(`${server.url}/blob`, viaProxy, 'proxied.oap');
    assert.equal(proxied.result.transfer, 'general');
    assert.equal(proxied.result.sha256, sha256(payload));
    assert.equal(proxy.uses.length, 1);

    const bypassing = client({ proxy: { url: proxy.url, bypass: [/127\.0\.0\.1/] } });
    const direct = await downloadFrom(`${server.url}/blob`, bypassing, 'bypassed.oap');
    assert.equal(direct.result.transfer, 'direct');
    assert.equal(proxy.uses.length, 1);
  });
});
