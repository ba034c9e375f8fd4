/**
 * The trust of a run with the agent's CA file (shared/http/trust.ts): connections start with that
 * CA alone and take in the public roots the first time a certificate does not chain to it. The
 * "public roots" here are a throw-away self-signed certificate handed to the client in their place,
 * since no test may reach a host with a real public certificate.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { HttpClient } from '../../shared/http/client';
import { HttpRequestError } from '../../shared/http/errors';
import type { BodySink } from '../../shared/http/rawGet/exchange';
import { defaultHttpSettings } from '../../shared/http/settings';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { throwAwayCertificate } from '../../tools/throwAwayCertificate';
import { TEST_CA_FILE, TLS_DIR, startServer, type Loopback } from './loopback';

/** A certificate the test CA signs for a host other than 127.0.0.1: its chain verifies, its name does not. */
function caSignedForAnotherHost(dir: string): { cert: string; key: string } {
  const key = path.join(dir, 'other-host.key.pem');
  const csr = path.join(dir, 'other-host.csr');
  const ext = path.join(dir, 'other-host.ext');
  const cert = path.join(dir, 'other-host.cert.pem');
  fs.writeFileSync(ext, 'subjectAltName=DNS:lifetime.elsewhere.example\n');
  const quiet = { stdio: 'ignore' as const };
  execFileSync(
    'openssl',
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=lifetime.elsewhere.example'],
    quiet,
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      TEST_CA_FILE,
      '-CAkey',
      path.join(TLS_DIR, 'test-only-ca.key.pem'),
      '-set_serial',
      '7',
      '-days',
      '1',
      '-extfile',
      ext,
      '-out',
      cert,
    ],
    quiet,
  );
  return { cert, key };
}

const echo = (req: { url?: string | undefined }, res: { end(text: string): void }): void =>
  res.end(`path ${req.url ?? ''}`);

/** Keeps a streamed body in memory (small bodies only). */
class MemorySink implements BodySink {
  readonly chunks: Buffer[] = [];
  begin(): Promise<void> {
    return Promise.resolve();
  }
  write(batch: Buffer): Promise<void> {
    this.chunks.push(Buffer.from(batch));
    return Promise.resolve();
  }
  received(): void {
    // Progress is not under test here.
  }
}

describe('HTTP trust: the agent CA first, the public roots when a certificate needs them', () => {
  let dir: string;
  let publicRoot: { cert: string; key: string };
  let stranger: { cert: string; key: string };
  let misnamed: { cert: string; key: string };
  const servers: Loopback[] = [];
  let log: string[];

  before(() => {
    dir = makeTempDir({ prefix: 'airgap-trust-' });
    publicRoot = throwAwayCertificate(dir, 'stands-in-for-a-public-root');
    stranger = throwAwayCertificate(dir, 'trusted-by-nobody');
    misnamed = caSignedForAnotherHost(dir);
  });
  after(() => removeTempDir(dir));
  beforeEach(() => {
    log = [];
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  async function server(
    certificate?: { cert: string; key: string },
    handler: Parameters<typeof startServer>[0] = echo,
  ): Promise<Loopback> {
    const started = await startServer(handler, { tls: true, ...(certificate !== undefined ? { certificate } : {}) });
    servers.push(started);
    return started;
  }

  function client(options: { rejectUnauthorized?: boolean } = {}): HttpClient {
    return new HttpClient(
      defaultHttpSettings({
        timeoutMs: 5000,
        retries: 0,
        backoffBaseMs: 1,
        backoffMaxMs: 5,
        tls: { caFile: TEST_CA_FILE, rejectUnauthorized: options.rejectUnauthorized ?? true },
      }),
      { log: (line) => log.push(line), publicRoots: [fs.readFileSync(publicRoot.cert, 'utf8')] },
    );
  }

  it('trusts a server of the agent CA with that CA alone: one handshake, nothing widened', async () => {
    const lifeTime = await server();
    const response = await client().request(`${lifeTime.url}/api`, { what: 'thing' });
    assert.equal(response.body.toString(), 'path /api');
    assert.equal(lifeTime.connections(), 1);
    assert.deepEqual(log, []);
  });

  it('takes in the public roots for a server whose certificate needs them, and keeps them', async () => {
    const lifeTime = await server();
    const publicHost = await server(publicRoot);
    const http = client();
    const first = await http.request(`${publicHost.url}/one`, { what: 'thing' });
    assert.equal(first.body.toString(), 'path /one');
    // The refused handshake and the one made again; no request was sent on the first.
    assert.equal(publicHost.connections(), 2);
    assert.equal(publicHost.hits.length, 1);
    assert.equal(log.length, 1, log.join('\n'));
    assert.match(log[0] ?? '', /does not chain to the CA in the agent's CA file \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    const second = await http.request(`${publicHost.url}/two`, { what: 'thing' });
    assert.equal(second.body.toString(), 'path /two');
    assert.equal(publicHost.connections(), 3);
    // The agent CA is still trusted once the roots are in.
    const again = await http.request(`${lifeTime.url}/api`, { what: 'thing' });
    assert.equal(again.body.toString(), 'path /api');
    assert.equal(log.length, 1);
  });

  it('makes a POST again only because its handshake was refused: the server sees it once', async () => {
    const publicHost = await server(publicRoot);
    const response = await client().request(`${publicHost.url}/plan`, {
      what: 'a deployment plan',
      method: 'POST',
      body: '{}',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(
      publicHost.hits.map((h) => h.method),
      ['POST'],
    );
  });

  it('widens for requests refused at the same time, each made again once', async () => {
    const publicHost = await server(publicRoot);
    const http = client();
    const answers = await Promise.all(
      ['/a', '/b', '/c'].map((p) => http.request(`${publicHost.url}${p}`, { what: 'thing' })),
    );
    assert.deepEqual(
      answers.map((a) => a.body.toString()),
      ['path /a', 'path /b', 'path /c'],
    );
    assert.equal(publicHost.hits.length, 3);
    assert.equal(publicHost.connections(), 6);
    assert.equal(log.length, 1, log.join('\n'));
  });

  it('sends a streamed upload, which cannot be made again, with the public roots from the start', async () => {
    const received: number[] = [];
    const countBody: Parameters<typeof startServer>[0] = (req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push(bytes);
        res.end(String(bytes));
      });
    };
    const publicHost = await server(publicRoot, countBody);
    const upload = Buffer.alloc(1024 * 1024, 7);
    const response = await client().request(`${publicHost.url}/deployments`, {
      what: 'a binary deployment',
      method: 'POST',
      body: Readable.from([upload.subarray(0, 512 * 1024), upload.subarray(512 * 1024)]),
      headers: { 'Content-Length': String(upload.length) },
    });
    assert.equal(response.body.toString(), String(upload.length));
    assert.deepEqual(received, [upload.length]);
    assert.equal(publicHost.connections(), 1);
    assert.deepEqual(log, []);
  });

  it('does not widen for a certificate of the CA made out to another host: the name is wrong, not the issuer', async () => {
    const wrongName = await server(misnamed);
    const error = await client()
      .request(`${wrongName.url}/api`, { what: 'thing' })
      .then(
        () => assert.fail('a certificate for another host was accepted'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof HttpRequestError);
    assert.match(error.message, /ERR_TLS_CERT_ALTNAME_INVALID|altnames/i);
    assert.equal(wrongName.connections(), 1);
    assert.deepEqual(log, []);
  });

  it('refuses a certificate neither the CA nor the roots vouch for, after trying both', async () => {
    const impostor = await server(stranger);
    const error = await client()
      .request(`${impostor.url}/api`, { what: 'thing', method: 'POST', body: 'secret' })
      .then(
        () => assert.fail('a certificate nobody trusts was accepted'),
        (e: unknown) => e,
      );
    assert.ok(error instanceof HttpRequestError);
    assert.equal(error.details.kind, 'network');
    assert.equal(error.details.requestSent, false);
    assert.match(error.message, /certificate/i);
    assert.equal(impostor.connections(), 2);
    assert.equal(impostor.hits.length, 0);
  });

  it('takes in the public roots on the direct download path too', async () => {
    const publicHost = await server(publicRoot);
    const sink = new MemorySink();
    const response = await client().directGet(`${publicHost.url}/blob`, { what: 'a package' }, sink);
    assert.ok(response !== undefined && 'bytes' in response);
    assert.equal(Buffer.concat(sink.chunks).toString(), 'path /blob');
    assert.equal(publicHost.connections(), 2);
    assert.equal(log.length, 1, log.join('\n'));
  });

  it('never widens when verification is off: there is nothing to verify against', async () => {
    const impostor = await server(stranger);
    const response = await client({ rejectUnauthorized: false }).request(`${impostor.url}/`, { what: 'thing' });
    assert.equal(response.status, 200);
    assert.equal(impostor.connections(), 1);
    assert.deepEqual(log, []);
  });
});
