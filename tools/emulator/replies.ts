import * as fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultSpec } from './spec';

/** What a route answers, before any fault decides how it reaches the wire. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?:
    | { kind: 'json'; value: unknown }
    | { kind: 'raw'; text: string; contentType: string }
    | { kind: 'file'; path: string; size: number; name: string };
  /** Set by a route for a resource or method it does not serve (see lifeTimeApi). */
  notServed?: true;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return headers ? { status, headers, body: { kind: 'json', value } } : { status, body: { kind: 'json', value } };
}

export function empty(status: number): Reply {
  return { status };
}

/** Resolves false when the emulator closed during the wait. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

const proxyErrorPage =
  '<!DOCTYPE html>\r\n<html><head><title>Gateway error</title></head><body><h1>The proxy could not reach the server.</h1></body></html>\r\n';

function bodyBytes(reply: Reply): { contentType: string; bytes: Buffer } | undefined {
  const body = reply.body;
  if (!body || body.kind === 'file') return undefined;
  if (body.kind === 'raw') return { contentType: body.contentType, bytes: Buffer.from(body.text, 'utf8') };
  return { contentType: 'application/json; charset=utf-8', bytes: Buffer.from(JSON.stringify(body.value), 'utf8') };
}

function streamFile(
  res: ServerResponse,
  path: string,
  bytes: number | undefined,
  done: (res: ServerResponse) => void,
): Promise<void> {
  return new Promise((resolve) => {
    // From disk in chunks: a package is never held whole in memory.
    const stream = fs.createReadStream(path, bytes === undefined ? {} : { start: 0, end: Math.max(0, bytes - 1) });
    // The last chunk is held back so that `done` runs once every byte reached the socket.
    let held: Buffer | undefined;
    stream.on('data', (chunk) => {
      const previous = held;
      held = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (previous && !res.write(previous)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    stream.on('end', () => {
      const finish = (): void => {
        done(res);
        resolve();
      };
      if (held) res.write(held, finish);
      else finish();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
  });
}

/**
 * Writes a reply, shaped by a fault that acts after the request was processed. Returns the status
 * sent, or 0 when the connection was dropped before any response.
 */
export async function writeReply(
  res: ServerResponse,
  reply: Reply,
  fault: FaultSpec | undefined,
  signal: AbortSignal,
  onHead: (status: number) => void = () => undefined,
): Promise<number> {
  if (fault?.kind === 'reset-after-request') {
    res.socket?.destroy();
    return 0;
  }
  if (fault?.kind === 'slow-headers' && !(await pause(fault.ms, signal))) {
    res.socket?.destroy();
    return 0;
  }
  let status = reply.status;
  let payload = bodyBytes(reply);
  const file = reply.body?.kind === 'file' ? reply.body : undefined;
  if (fault?.kind === 'non-json-body') {
    // What a proxy or gateway page looks like in place of the API's answer.
    status = status === 204 ? 200 : status;
    payload = { contentType: 'text/html; charset=utf-8', bytes: Buffer.from(proxyErrorPage, 'utf8') };
  }
  const headers: Record<string, string | number> = { ...reply.headers };
  if (payload) {
    headers['Content-Type'] = payload.contentType;
    headers['Content-Length'] = payload.bytes.length;
  } else if (file && fault?.kind !== 'non-json-body') {
    headers['Content-Type'] = 'application/octet-stream';
    headers['Content-Length'] = file.size;
    headers['Content-Disposition'] = `attachment; filename="${file.name}"`;
  }
  onHead(status);
  res.writeHead(status, headers);
  const partial = fault?.kind === 'reset-mid-body' || fault?.kind === 'truncate-body';
  // reset-mid-body drops the connection abruptly (RST); truncate-body closes it cleanly (FIN) too early.
  const finishPartial = (r: ServerResponse): void => {
    if (fault?.kind === 'reset-mid-body') r.socket?.destroy();
    else r.socket?.end();
  };
  if (payload) {
    if (partial) {
      res.write(payload.bytes.subarray(0, Math.floor(payload.bytes.length / 2)), () => finishPartial(res));
    } else {
      res.end(payload.bytes);
    }
    return status;
  }
  if (file) {
    if (partial) await streamFile(res, file.path, Math.floor(file.size / 2), finishPartial);
    else await streamFile(res, file.path, undefined, (r) => r.end());
    return status;
  }
  res.end();
  return status;
}
