import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

/** TEST-ONLY certificates for 127.0.0.1/localhost (see test/fixtures/tls/README.md). */
export const TLS_DIR = path.resolve(__dirname, '../../../../test/fixtures/tls');
export const TEST_CA_FILE = path.join(TLS_DIR, 'test-only-ca.cert.pem');

export interface Loopback {
  url: string;
  hits: http.IncomingMessage[];
  /** TCP connections accepted so far (for https, each one a handshake, refused or not). */
  connections(): number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, hit: number) => void;

/** A server on 127.0.0.1 whose handler sees the hit number (1 for the first request). */
export async function startServer(
  handler: Handler,
  /** certificate: PEM files to serve instead of the test CA's localhost certificate. */
  options: { tls?: boolean; certificate?: { cert: string; key: string } } = {},
): Promise<Loopback> {
  const hits: http.IncomingMessage[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    hits.push(req);
    handler(req, res, hits.length);
  };
  const server = options.tls
    ? https.createServer(
        {
          cert: fs.readFileSync(options.certificate?.cert ?? path.join(TLS_DIR, 'test-only-localhost.cert.pem')),
          key: fs.readFileSync(options.certificate?.key ?? path.join(TLS_DIR, 'test-only-localhost.key.pem')),
        },
        listener,
      )
    : http.createServer(listener);
  server.on('connection', (socket: net.Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    hits,
    connections: () => connections,
    close: () => closeServer(server, sockets),
  };
}

export interface ProxyUse {
  method: string;
  /** CONNECT authority or the absolute URI of a forwarded request. */
  target: string;
  proxyAuthorization?: string;
}

export interface LoopbackProxy {
  url: string;
  uses: ProxyUse[];
  close(): Promise<void>;
}

/** A recording forward proxy: CONNECT tunnels (https targets) and absolute-URI requests (http targets). */
export async function startProxy(): Promise<LoopbackProxy> {
  const uses: ProxyUse[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    uses.push(use(req));
    const target = new URL(req.url ?? '/');
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: withoutProxyHeaders(req.headers),
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    uses.push(use(req));
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, uses, close: () => closeServer(server, sockets) };
}

function use(req: http.IncomingMessage): ProxyUse {
  const auth = req.headers['proxy-authorization'];
  return {
    method: req.method ?? '',
    target: req.url ?? '',
    ...(auth !== undefined ? { proxyAuthorization: auth } : {}),
  };
}

function withoutProxyHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const copy: http.OutgoingHttpHeaders = { ...headers };
  delete copy['proxy-authorization'];
  delete copy['proxy-connection'];
  return copy;
}

async function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A port on which nothing listens (bound, read, released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
