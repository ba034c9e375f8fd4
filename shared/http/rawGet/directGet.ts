/**
 * The direct path for one large binary GET (a package download): redirects, retries and failures
 * exactly as HttpClient does them (see client.ts), over exchange.ts's connection that reads the
 * body straight into the sink's buffers. Used only when no proxy applies; the general path
 * (node-fetch, proxies) stays for everything else.
 */
import type * as tls from 'node:tls';
import { parseRetryAfter, sleep } from '../backoff';
import { HttpRequestError, formatSeconds } from '../errors';
import type { HttpSettings } from '../settings';
import { MAX_REDIRECTS, REDIRECT_STATUSES, RETRYABLE_STATUSES, crossOriginHeaders } from '../policy';
import { ExchangeError, exchange, type BodySink, type ExchangeResult } from './exchange';
import type { HeaderFields } from './responseHead';

export interface DirectGetOptions {
  headers?: Record<string, string>;
  /** Names the resource in messages. */
  what: string;
  signal?: AbortSignal;
  /** The caller's rule for what must not reach a message (see HttpRequestOptions.redact). */
  redact?: (text: string) => string;
}

export interface DirectGetContext {
  settings: HttpSettings;
  /** The agent's TLS settings (one secure context per run); throws when they are unusable. */
  tls(): tls.ConnectionOptions;
  /** After a refused handshake made with `used`: true when it should be made again at once (trust.ts). */
  widenTrustAfter(code: string | undefined, used: tls.SecureContext | undefined, host: string): boolean;
  proxyFor(url: URL): URL | undefined;
  log(message: string): void;
  retryDelay(attempt: number): number;
}

interface ResponseHead {
  status: number;
  headers: HeaderFields;
  /** Final URL, after redirects. */
  url: string;
  attempts: number;
}

/** 200: the body went to the sink. Any other status: the start of its body. */
export type DirectResponse = (ResponseHead & { status: 200; bytes: number }) | (ResponseHead & { body: Buffer });

/**
 * A redirect leads where the agent's proxy applies, or to https with TLS settings that cannot be
 * used: the caller takes the general path from the start.
 */
export class DirectPathUnavailable extends Error {}

export async function directGet(
  context: DirectGetContext,
  url: string,
  options: DirectGetOptions,
  sink: BodySink,
): Promise<DirectResponse> {
  const maxAttempts = context.settings.retries + 1;
  for (let index = 0; ; index++) {
    const attempts = index + 1;
    const connection: LastConnection = {};
    try {
      const { result, finalUrl } = await followRedirects(context, url, options, sink, attempts, connection);
      const { head } = result;
      if (result.kind === 'streamed') {
        return { status: 200, headers: head.headers, url: finalUrl, attempts, bytes: result.bytes };
      }
      if (RETRYABLE_STATUSES.has(head.status) && attempts < maxAttempts) {
        const retryAfter = parseRetryAfter(head.headers.get('retry-after'));
        const delay =
          retryAfter !== undefined && (head.status === 429 || head.status === 503)
            ? Math.min(retryAfter, context.settings.backoffMaxMs)
            : context.retryDelay(index);
        context.log(
          `GET ${describeUrl(url, options)} for ${options.what} answered ${head.status}; attempt ${attempts + 1} of ${maxAttempts} in ${formatSeconds(delay)}`,
        );
        await pause(context, delay, url, options, attempts);
        continue;
      }
      return { status: head.status, headers: head.headers, url: finalUrl, attempts, body: result.body };
    } catch (error) {
      // A sink failure (the disk), a refused redirect or DirectPathUnavailable: not for retrying here.
      if (!(error instanceof ExchangeError)) throw error;
      if (context.widenTrustAfter(error.details.code, connection.secureContext, connection.host ?? '')) {
        // The same attempt again, from its first hop: nothing was sent on the refused handshake,
        // and the earlier hops are GETs made again.
        index -= 1;
        continue;
      }
      const failure = httpFailure(context, error, url, options, attempts);
      // A body that broke off goes back to the caller, which starts the file over.
      if (failure.details.kind === 'aborted' || failure.details.duringBody || attempts >= maxAttempts) throw failure;
      const delay = context.retryDelay(index);
      context.log(`${failure.message}; attempt ${attempts + 1} of ${maxAttempts} in ${formatSeconds(delay)}`);
      await pause(context, delay, url, options, attempts);
    }
  }
}

/** Where the hop in progress connects, and with which secure context (for widenTrustAfter). */
interface LastConnection {
  host?: string;
  secureContext?: tls.SecureContext;
}

/** Credentials never follow a redirect to another origin, and https never redirects to http. */
async function followRedirects(
  context: DirectGetContext,
  url: string,
  options: DirectGetOptions,
  sink: BodySink,
  attempts: number,
  connection: LastConnection,
): Promise<{ result: ExchangeResult; finalUrl: string }> {
  let current = new URL(url);
  let headers = { ...options.headers };
  for (let hop = 0; ; hop++) {
    if (hop > 0 && context.proxyFor(current) !== undefined) throw new DirectPathUnavailable();
    let tlsOptions: tls.ConnectionOptions = {};
    try {
      if (current.protocol === 'https:') tlsOptions = context.tls();
    } catch {
      // Unusable TLS settings: the general path reports them as it always has.
      throw new DirectPathUnavailable();
    }
    connection.host = current.host;
    if (tlsOptions.secureContext !== undefined) connection.secureContext = tlsOptions.secureContext;
    else delete connection.secureContext;
    const result = await exchange(
      {
        url: current,
        headers,
        tls: tlsOptions,
        timeoutMs: context.settings.timeoutMs,
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        streams: (status) => status === 200,
      },
      sink,
    );
    const location = result.head.headers.get('location');
    if (result.kind === 'streamed' || !REDIRECT_STATUSES.has(result.head.status) || location === null) {
      return { result, finalUrl: current.href };
    }
    if (hop >= MAX_REDIRECTS) return { result, finalUrl: current.href };
    const next = new URL(location, current);
    if (current.protocol === 'https:' && next.protocol !== 'https:') {
      throw new HttpRequestError({
        ...baseDetails(context, url, options, attempts),
        kind: 'network',
        reason: `refused to follow a redirect from ${current.origin} to ${next.origin}: it leaves https, and the request would go unencrypted`,
        requestSent: true,
      });
    }
    if (next.origin !== current.origin) headers = crossOriginHeaders(headers);
    current = next;
  }
}

function baseDetails(context: DirectGetContext, url: string, options: DirectGetOptions, attempts: number) {
  const parsed = new URL(url);
  return {
    method: 'GET',
    origin: parsed.origin,
    path: redactWith(options, parsed.pathname),
    what: options.what,
    attempts,
    timeoutMs: context.settings.timeoutMs,
    duringBody: false,
  };
}

function httpFailure(
  context: DirectGetContext,
  error: ExchangeError,
  url: string,
  options: DirectGetOptions,
  attempts: number,
): HttpRequestError {
  const kind =
    options.signal?.aborted === true || error.details.aborted
      ? 'aborted'
      : error.details.timedOut
        ? 'timeout'
        : 'network';
  return new HttpRequestError(
    {
      ...baseDetails(context, url, options, attempts),
      kind,
      reason: kind === 'network' ? redactWith(options, error.message) : kind,
      requestSent: error.details.duringBody || error.details.requestSent,
      duringBody: error.details.duringBody,
    },
    { cause: error },
  );
}

async function pause(
  context: DirectGetContext,
  delay: number,
  url: string,
  options: DirectGetOptions,
  attempts: number,
): Promise<void> {
  try {
    await sleep(delay, options.signal);
  } catch (error) {
    throw new HttpRequestError(
      { ...baseDetails(context, url, options, attempts), kind: 'aborted', reason: 'cancelled', requestSent: true },
      { cause: error },
    );
  }
}

function redactWith(options: DirectGetOptions, text: string): string {
  return options.redact === undefined ? text : options.redact(text);
}

function describeUrl(url: string, options: DirectGetOptions): string {
  const parsed = new URL(url);
  return `${parsed.origin}${redactWith(options, parsed.pathname)}`;
}
