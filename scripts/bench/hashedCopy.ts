/**
 * The smallest Node program that does what the export's transfer must do: one GET on one
 * connection, the socket read into one reused 4 MiB buffer (`onread`), every body byte hashed
 * with SHA-256 and written to the file from that buffer. No retries, checks or logging. The bench
 * runs it with the tasks' runtime beside curl, so a row shows what that runtime itself allows.
 *
 * Usage: node hashedCopy.js <url> <file> [caFile]; prints "<bytes> <sha256>".
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as tls from 'node:tls';

const [link, file, caFile] = process.argv.slice(2);
if (link === undefined || file === undefined) throw new Error('usage: hashedCopy.js <url> <file> [caFile]');
const url = new URL(link);
const fd = fs.openSync(file, 'w');
const hash = createHash('sha256');
/** The response head as it arrives; undefined once it is complete and the body flows. */
let head: Buffer | undefined = Buffer.alloc(0);
let left = -1;
let bytes = 0;

function body(chunk: Buffer): void {
  hash.update(chunk);
  for (let offset = 0; offset < chunk.length;) offset += fs.writeSync(fd, chunk, offset, chunk.length - offset);
  bytes += chunk.length;
  left -= chunk.length;
  if (left === 0) {
    fs.closeSync(fd);
    process.stdout.write(`${String(bytes)} ${hash.digest('hex')}\n`);
    socket.destroy();
  }
}

const onread: net.OnReadOpts = {
  buffer: Buffer.allocUnsafe(4 * 1024 * 1024),
  callback: (n, buffer) => {
    const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, n);
    if (head === undefined) {
      body(chunk);
      return true;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return true;
    const lines = head.toString('latin1', 0, end);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(lines)?.[1];
    if (!lines.startsWith('HTTP/1.1 200') || length === undefined) throw new Error(`unexpected response: ${lines}`);
    left = Number(length);
    const rest = Buffer.from(head.subarray(end + 4));
    head = undefined;
    if (rest.length > 0) body(rest);
    return true;
  },
};

const port = Number(url.port);
const request = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`;
const socket =
  url.protocol === 'https:'
    ? tls.connect(
        {
          host: url.hostname,
          port,
          ...(net.isIP(url.hostname) === 0 ? { servername: url.hostname } : {}),
          ...(caFile !== undefined ? { ca: fs.readFileSync(caFile) } : {}),
          onread,
        } as tls.ConnectionOptions,
        () => socket.write(request),
      )
    : net.connect({ host: url.hostname, port, onread }, () => socket.write(request));
socket.on('error', (error) => {
  throw error;
});
