import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import type { HttpClient, HttpResponse } from '../http/client';
import { requireSecureUrl } from '../http/secureUrl';
import { sleep } from '../http/backoff';
import { HttpRequestError } from '../http/errors';
import { DirectPathUnavailable } from '../http/rawGet/directGet';
import { redactDownloadKeys } from './redaction';
import { DownloadError, LifeTimeError, errorForFailure } from './errors';
import { HashedFile } from './hashedFile';

export interface DownloadOptions {
  /** How messages name the package, e.g. 'application "Customer Portal" version 1.2.3'. */
  label: string;
  onProgress?: (bytes: number, total?: number) => void;
  signal?: AbortSignal;
  /**
   * A link asked for ahead of time (the export fetches the next package's link while the current
   * one downloads, saving a round trip per package); an expired or refused one is renewed as usual.
   */
  prefetchedLink?: Promise<{ url: string }>;
}

export interface DownloadResult {
  bytes: number;
  /** Lower-case hex. */
  sha256: string;
  /**
   * How the body travelled: 'direct' from the socket into the file (no proxy applies), or
   * 'general' through the HTTP client's streams (the agent's proxy).
   */
  transfer: Transfer;
}

export type Transfer = 'direct' | 'general';

/** What the download needs from the LifeTime client (kept as an interface to avoid an import cycle). */
export interface DownloadSource {
  host: string;
  http: HttpClient;
  getDownloadLink(appKey: string, versionKey: string, label: string): Promise<{ url: string }>;
  /** Request headers for this URL: the token only when it is LifeTime's own origin. */
  headersFor(url: string): Record<string, string>;
  redact: (text: string) => string;
  statusError(
    response: Pick<HttpResponse, 'status' | 'attempts' | 'body'>,
    label: string,
    request: string,
  ): LifeTimeError;
}

/** Statuses with which an expired or already used download link is refused. */
const EXPIRED_LINK_STATUSES = new Set([403, 404, 410]);
const MAX_LINK_RENEWALS = 3;
const CHUNK = 1024 * 1024;

/** A body that ended early or broke off: worth one more try from scratch. */
class RetryableBodyFailure extends Error {}

/**
 * Fetches a fresh link, then streams the package to disk computing its sha256 and size on the
 * way, never holding it in memory. A body cut short is fetched again from scratch (the
 * destination rewritten), an expired link is asked for again; a final failure removes the
 * partial file so nothing downstream can mistake it for the package.
 */
export async function downloadVersion(
  source: DownloadSource,
  appKey: string,
  versionKey: string,
  destination: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const { label } = options;
  const maxBodyAttempts = source.http.settings.retries + 1;
  let link = checkedLink(
    source,
    await (options.prefetchedLink ?? source.getDownloadLink(appKey, versionKey, label)),
    label,
  );
  let renewals = 0;
  let bodyAttempts = 0;
  try {
    for (;;) {
      bodyAttempts++;
      try {
        return await fetchOnce(source, link.url, destination, options);
      } catch (error) {
        if (error instanceof ExpiredLink) {
          if (renewals >= MAX_LINK_RENEWALS) {
            throw new DownloadError(
              `LifeTime ${source.host} kept refusing the download link for ${label} (${error.status}, ${renewals + 1} links tried)`,
              { resource: label, host: source.host, status: error.status },
            );
          }
          renewals++;
          bodyAttempts--;
          link = checkedLink(source, await source.getDownloadLink(appKey, versionKey, label), label);
          continue;
        }
        if (!(error instanceof RetryableBodyFailure) || bodyAttempts >= maxBodyAttempts) {
          throw finalError(error, source, label, bodyAttempts);
        }
        await sleep(source.http.retryDelay(bodyAttempts - 1), options.signal).catch((cause: unknown) => {
          throw new DownloadError(
            `cancelled while downloading ${label} from LifeTime ${source.host}`,
            {
              resource: label,
              host: source.host,
            },
            { cause },
          );
        });
      }
    }
  } catch (error) {
    await fsp.rm(destination, { force: true });
    throw error;
  }
}

/**
 * The link's key is all it takes to download the package, so it must not cross a network in
 * cleartext: plain http is accepted only on this machine (the emulator, tests). Messages name the
 * link's origin, never the link.
 */
function checkedLink(source: DownloadSource, link: { url: string }, label: string): { url: string } {
  let parsed: URL;
  try {
    parsed = new URL(link.url);
  } catch {
    throw new DownloadError(`LifeTime ${source.host} gave a download link for ${label} that is not a URL`, {
      resource: label,
      host: source.host,
    });
  }
  requireSecureUrl(
    parsed,
    () =>
      new DownloadError(
        `LifeTime ${source.host} gave a download link for ${label} on ${parsed.origin}, which is not https: refusing to download the package unencrypted (serve LifeTime and its downloads over https)`,
        { resource: label, host: source.host },
      ),
  );
  return link;
}

class ExpiredLink extends Error {
  constructor(readonly status: number) {
    super(`download link refused (${status})`);
  }
}

function fetchOnce(
  source: DownloadSource,
  url: string,
  destination: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const file = new HashedFile(destination, options.onProgress);
  const direct = source.http.directGet(url, requestOptions(source, url, options), file);
  if (direct === undefined) return fetchGeneral(source, url, destination, options);
  return fetchDirect(source, url, destination, options, file, direct);
}

function requestOptions(source: DownloadSource, url: string, options: DownloadOptions) {
  return {
    headers: source.headersFor(url),
    what: options.label,
    redact: redactDownloadKeys,
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
}

/** The body from the socket straight into the file (HttpClient.directGet); the file is hashed on the way. */
async function fetchDirect(
  source: DownloadSource,
  url: string,
  destination: string,
  options: DownloadOptions,
  file: HashedFile,
  direct: NonNullable<ReturnType<HttpClient['directGet']>>,
): Promise<DownloadResult> {
  let response;
  try {
    response = await direct;
  } catch (error) {
    await file.close();
    if (error instanceof DirectPathUnavailable) return fetchGeneral(source, url, destination, options);
    if (error instanceof HttpRequestError && !error.details.duringBody) {
      throw errorForFailure(error, options.label, source.host, source.redact);
    }
    throw bodyFailure(error, source, destination, options, file.bytes, file.announced);
  }
  await file.close();
  if (!('bytes' in response)) {
    if (EXPIRED_LINK_STATUSES.has(response.status)) throw new ExpiredLink(response.status);
    const request = `GET ${redactDownloadKeys(new URL(url).pathname)}`;
    throw source.statusError(response, options.label, request);
  }
  return { bytes: response.bytes, sha256: file.sha256(), transfer: 'direct' };
}

/** Through the HTTP client's streams: the path that works through the agent's proxy. */
async function fetchGeneral(
  source: DownloadSource,
  url: string,
  destination: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const request = `GET ${redactDownloadKeys(new URL(url).pathname)}`;
  let response;
  try {
    response = await source.http.openStream(url, requestOptions(source, url, options));
  } catch (error) {
    if (error instanceof HttpRequestError) throw errorForFailure(error, options.label, source.host, source.redact);
    throw error;
  }
  if (response.status !== 200) {
    const body = await drain(response.body);
    if (EXPIRED_LINK_STATUSES.has(response.status)) throw new ExpiredLink(response.status);
    throw source.statusError({ status: response.status, attempts: response.attempts, body }, options.label, request);
  }
  const lengthHeader = response.headers.get('content-length');
  const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await writeHashed(response.body, destination, (chunk) => {
      hash.update(chunk);
      bytes += chunk.length;
      options.onProgress?.(bytes, total);
    });
  } catch (error) {
    throw bodyFailure(error, source, destination, options, bytes, total);
  }
  if (total !== undefined && bytes !== total) {
    throw new RetryableBodyFailure(`received ${bytes} bytes but Content-Length announced ${total}`);
  }
  return { bytes, sha256: hash.digest('hex'), transfer: 'general' };
}

/** A failure once the body had begun: cancelled, broken off or stalled (worth a new try), or the disk's. */
function bodyFailure(
  error: unknown,
  source: DownloadSource,
  destination: string,
  options: DownloadOptions,
  bytes: number,
  total: number | undefined,
): Error {
  if (error instanceof HttpRequestError) {
    if (error.details.kind === 'aborted') return errorForFailure(error, options.label, source.host, source.redact);
    return new RetryableBodyFailure(
      error.details.kind === 'timeout'
        ? `the download stalled for ${Math.round(error.details.timeoutMs / 1000)} s after ${bytes} bytes`
        : `${source.redact(error.details.reason)} after ${bytes}${total !== undefined ? ` of ${total}` : ''} bytes`,
      { cause: error },
    );
  }
  return new DownloadError(
    `could not write ${options.label} to ${destination}: ${messageOf(error)}`,
    {
      resource: options.label,
      host: source.host,
    },
    { cause: error },
  );
}

/**
 * Copies the body to the file, one pass over each chunk: no extra stream stages between the
 * socket and the disk, and chunks gathered into large writes so the file system sees few calls.
 * Chunks are taken from 'data' events as they arrive: async iteration would `read()` whatever is
 * buffered as one concatenated copy, doubling the memory traffic and the garbage.
 */
async function writeHashed(body: Readable, destination: string, seen: (chunk: Buffer) => void): Promise<void> {
  // The body may fail while the file is being opened: catch that now, or it is an uncaught error.
  let early: { error: unknown } | undefined;
  const onEarlyError = (error: unknown): void => {
    early ??= { error };
  };
  body.on('error', onEarlyError);
  let file: fsp.FileHandle;
  try {
    file = await fsp.open(destination, 'w');
  } catch (error) {
    body.destroy();
    throw error;
  } finally {
    body.off('error', onEarlyError);
  }
  try {
    if (early !== undefined) throw early.error;
    await new Promise<void>((resolve, reject) => {
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let writing = false;
      let ended = false;
      let failed = false;
      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        body.destroy();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      // One write in flight while the next batch gathers; the body pauses if that batch fills first.
      const flush = (): void => {
        if (failed || writing) return;
        if (pendingBytes === 0) {
          if (ended) resolve();
          return;
        }
        const batch = pending;
        pending = [];
        pendingBytes = 0;
        writing = true;
        file.writev(batch).then(() => {
          writing = false;
          if (ended || pendingBytes >= CHUNK) flush();
          if (!ended && body.isPaused()) body.resume();
        }, fail);
      };
      body.on('data', (chunk: Buffer) => {
        seen(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < CHUNK) return;
        if (writing) body.pause();
        else flush();
      });
      body.once('end', () => {
        ended = true;
        flush();
      });
      body.on('error', fail);
    });
  } finally {
    await file.close();
  }
}

function finalError(error: unknown, source: DownloadSource, label: string, attempts: number): unknown {
  if (!(error instanceof RetryableBodyFailure)) return error;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  return new DownloadError(
    `downloading ${label} from LifeTime ${source.host} failed: ${error.message}${tries}`,
    {
      resource: label,
      host: source.host,
    },
    { cause: error },
  );
}

async function drain(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      // Only an error body is read here; it needs no more than its start.
      if (size <= 64 * 1024) chunks.push(buffer);
    }
  } catch {
    // The status is what matters; a broken error body adds nothing.
  }
  return Buffer.concat(chunks);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
