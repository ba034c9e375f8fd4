import { Readable, Transform } from 'node:stream';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import type { SecureContext } from 'node:tls';
import { AgentFactory } from './agents';
import { backoffDelay, parseRetryAfter, sleep } from './backoff';
import { HttpRequestError, formatSeconds, type HttpFailureKind } from './errors';
import type { RequestObserver } from './requestHooks';
import { BODY_INCOMPLETE } from './requestHooks';
import type { HttpSettings } from './settings';
import { MAX_REDIRECTS, REDIRECT_STATUSES, RETRYABLE_STATUSES, crossOriginHeaders } from './policy';
import { directGet, type DirectResponse } from './rawGet/directGet';
import type { BodySink } from './rawGet/exchange';

export interface HttpRequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /**
   * A stream (an upload) is sent as it is read, never held in memory; it can be sent only once, so
   * the request must not be idempotent (never repeated) and is not redirected.
   */
  body?: string | Buffer | Readable;
  /** Defaults to true for GET and HEAD only. A non-idempotent request is never repeated. */
  idempotent?: boolean;
  /** Names the resource in messages, e.g. 'application "Customer Portal"'. */
  what: string;
  signal?: AbortSignal;
  /**
   * Hides what must not reach a message or a log line from the URL's path and from error texts
   * that may quote it. The caller knows its own rule (the LifeTime client: download link keys).
   */
  redact?: (text: string) => string;
}

export interface HttpResponseHead {
  status: number;
  headers: { get(name: string): string | null };
  /** Final URL, after redirects. */
  url: string;
  attempts: number;
}

export interface HttpResponse extends HttpResponseHead {
  body: Buffer;
}

/** The body must be read to its end or destroyed; it fails with HttpRequestError. */
export interface HttpStreamResponse extends HttpResponseHead {
  body: Readable;
}

export interface HttpClientOptions {
  /** Receives retry notices; never given a header value. */
  log?: (message: string) => void;
  random?: () => number;
  /** Buffered (non-stream) responses larger than this fail instead of filling memory. */
  maxResponseBytes?: number;
  /** Trusted besides the agent's CA (see trust.ts): Node's bundled roots unless a test says otherwise. */
  publicRoots?: readonly string[];
}

const STREAM_CHUNK = 1024 * 1024;
/** Codes that mean the connection failed before anything was sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface Attempt {
  controller: AbortController;
  observer: RequestObserver;
  timedOut: boolean;
  timer: NodeJS.Timeout | undefined;
  release: () => void;
}

export class HttpClient {
  readonly settings: HttpSettings;
  private readonly agents: AgentFactory;
  private readonly log: (message: string) => void;
  private readonly random: () => number;
  private readonly maxResponseBytes: number;

  constructor(settings: HttpSettings, options: HttpClientOptions = {}) {
    this.settings = settings;
    this.agents = new AgentFactory(settings, options.publicRoots);
    this.log = options.log ?? ((): void => undefined);
    this.random = options.random ?? Math.random;
    this.maxResponseBytes = options.maxResponseBytes ?? 256 * 1024 * 1024;
  }

  /** Any HTTP status resolves (after retries); only a missing response rejects, with HttpRequestError. */
  async request(url: string, options: HttpRequestOptions): Promise<HttpResponse> {
    return this.run(url, options, async (response, attempt, attempts) => {
      const body = await response.buffer();
      this.stopTimer(attempt);
      attempt.release();
      return { status: response.status, headers: response.headers, url: response.url, attempts, body };
    });
  }

  /**
   * Like request(), but hands the body over as a stream. The timeout then applies to each pause
   * in the body rather than to the whole transfer, so a large download is not cut off while a
   * stalled one is.
   */
  async openStream(url: string, options: HttpRequestOptions): Promise<HttpStreamResponse> {
    return this.run(url, options, (response, attempt, attempts) =>
      Promise.resolve({
        status: response.status,
        headers: response.headers,
        url: response.url,
        attempts,
        body: this.watchBody(response, attempt, url, options, attempts),
      }),
    );
  }

  /**
   * A GET whose 200 body goes from the socket straight into `sink` (see rawGet/): a fraction of
   * openStream's work per byte, for package downloads. undefined when the agent's proxy applies
   * to this URL: use openStream then. A redirect to where the proxy applies rejects with
   * DirectPathUnavailable.
   */
  directGet(url: string, options: HttpRequestOptions, sink: BodySink): Promise<DirectResponse> | undefined {
    const target = new URL(url);
    if (this.agents.proxyFor(target) !== undefined) return undefined;
    try {
      if (target.protocol === 'https:') this.agents.tlsOptions();
    } catch {
      // Unusable TLS settings: the general path reports them as it always has.
      return undefined;
    }
    const context = {
      settings: this.settings,
      tls: () => this.agents.tlsOptions(),
      widenTrustAfter: (code: string | undefined, used: SecureContext | undefined, host: string) =>
        this.widenTrustAfter(code, used, host),
      proxyFor: (target: URL) => this.agents.proxyFor(target),
      log: this.log,
      retryDelay: (attempt: number) => this.retryDelay(attempt),
    };
    return directGet(
      context,
      url,
      {
        what: options.what,
        ...(options.headers !== undefined ? { headers: options.headers } : {}),
        ...(options.signal !== undefined ? { signal: options.signal } : {}),
        ...(options.redact !== undefined ? { redact: options.redact } : {}),
      },
      sink,
    );
  }

  /** See TlsTrust.widenAfter; says so in the log when the run starts trusting the public roots too. */
  private widenTrustAfter(code: string | undefined, used: SecureContext | undefined, host: string): boolean {
    const already = this.agents.trustsPublicRoots;
    if (!this.agents.widenTrustAfter(code, used)) return false;
    if (already) return true; // another request, refused at the same time, said it already
    this.log(
      `the certificate of ${host} does not chain to the CA in the agent's CA file (${code ?? ''}); the public roots are trusted as well from now on, and the connection is made again`,
    );
    return true;
  }

  /** Delay before retry number attempt + 1 (attempt counts from 0). */
  retryDelay(attempt: number): number {
    return backoffDelay(attempt, this.settings.backoffBaseMs, this.settings.backoffMaxMs, this.random);
  }

  private async run<T>(
    url: string,
    options: HttpRequestOptions,
    consume: (response: Response, attempt: Attempt, attempts: number) => Promise<T>,
  ): Promise<T> {
    const method = (options.method ?? 'GET').toUpperCase();
    const idempotent = options.idempotent ?? (method === 'GET' || method === 'HEAD');
    if (options.body instanceof Readable && idempotent) {
      throw new Error(`a streamed body can be sent only once: ${options.what} must not be marked idempotent`);
    }
    const maxAttempts = idempotent ? this.settings.retries + 1 : 1;
    for (let index = 0; ; index++) {
      const attempts = index + 1;
      const attempt = this.startAttempt(options.signal);
      let response: Response;
      try {
        response = await this.fetchFollowingRedirects(url, method, options, attempt, attempts);
        if (RETRYABLE_STATUSES.has(response.status) && attempts < maxAttempts) {
          const delay = this.statusRetryDelay(response, index);
          this.finish(attempt, response);
          this.log(
            `${method} ${describeUrl(url, options)} for ${options.what} answered ${response.status}; attempt ${attempts + 1} of ${maxAttempts} in ${formatSeconds(delay)}`,
          );
          await this.pause(delay, url, method, options, attempts);
          continue;
        }
        return await consume(response, attempt, attempts);
      } catch (error) {
        this.stopTimer(attempt);
        attempt.release();
        if (error instanceof HttpRequestError) throw error;
        const refusedHost = attempt.observer.host ?? new URL(url).host;
        if (this.widenTrustAfter(errorCode(error), attempt.observer.secureContext, refusedHost)) {
          // The same attempt again, from its first hop: nothing was sent on the refused handshake,
          // and only GET and HEAD follow redirects, so earlier hops are reads made again.
          index -= 1;
          continue;
        }
        const failure = this.failure(error, attempt, url, method, options, attempts, false);
        const retryable = failure.details.kind !== 'aborted' && isNetworkFailure(error, attempt);
        if (!retryable || attempts >= maxAttempts) throw failure;
        const delay = this.retryDelay(index);
        this.log(`${failure.message}; attempt ${attempts + 1} of ${maxAttempts} in ${formatSeconds(delay)}`);
        await this.pause(delay, url, method, options, attempts);
      }
    }
  }

  private startAttempt(signal: AbortSignal | undefined): Attempt {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted === true) controller.abort();
    const attempt: Attempt = {
      controller,
      observer: { requestSent: false },
      timedOut: false,
      timer: undefined,
      release: () => signal?.removeEventListener('abort', onAbort),
    };
    this.armTimer(attempt);
    return attempt;
  }

  private armTimer(attempt: Attempt): void {
    // Called for every chunk of a body: refreshing the one timer is far cheaper than replacing it.
    if (attempt.timer !== undefined) {
      attempt.timer.refresh();
      return;
    }
    attempt.timer = setTimeout(() => {
      attempt.timedOut = true;
      attempt.controller.abort();
    }, this.settings.timeoutMs);
  }

  private stopTimer(attempt: Attempt): void {
    if (attempt.timer !== undefined) clearTimeout(attempt.timer);
    attempt.timer = undefined;
  }

  /** Ends an attempt whose response is discarded, releasing its socket. */
  private finish(attempt: Attempt, response: Response): void {
    this.stopTimer(attempt);
    attempt.release();
    response.body.on('error', () => undefined);
    attempt.controller.abort();
  }

  private async pause(delay: number, url: string, method: string, options: HttpRequestOptions, attempts: number) {
    try {
      await sleep(delay, options.signal);
    } catch (error) {
      throw new HttpRequestError(
        {
          ...this.baseDetails(url, method, options, attempts),
          kind: 'aborted',
          reason: 'cancelled',
          requestSent: true,
        },
        { cause: error },
      );
    }
  }

  private statusRetryDelay(response: Response, index: number): number {
    const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
    if (retryAfter !== undefined && (response.status === 429 || response.status === 503)) {
      return Math.min(retryAfter, this.settings.backoffMaxMs);
    }
    return this.retryDelay(index);
  }

  /**
   * Redirects are followed here rather than by node-fetch so that credentials never follow the
   * request to another origin (node-fetch keeps them for subdomains): once the origin changes only
   * CROSS_ORIGIN_HEADERS go along, so a token or a custom key header (X-CICDProbe-Key) stays with
   * the server it was meant for. A redirect from https to http is not followed at all. Only GET
   * and HEAD follow: a redirected POST comes back to the caller as is.
   */
  private async fetchFollowingRedirects(
    url: string,
    method: string,
    options: HttpRequestOptions,
    attempt: Attempt,
    attempts: number,
  ): Promise<Response> {
    let current = new URL(url);
    let headers = { ...options.headers };
    for (let hop = 0; ; hop++) {
      const target = current;
      const init: RequestInit = {
        method,
        headers,
        redirect: 'manual',
        compress: false,
        size: this.maxResponseBytes,
        signal: attempt.controller.signal,
        // Redirects are followed manually, so node-fetch only ever connects to target.
        agent: () => this.agents.create(target, attempt.observer, options.body instanceof Readable),
        ...(options.body !== undefined ? { body: this.sentBody(options.body, attempt) } : {}),
      };
      const response = await fetch(target.href, init);
      const location = response.headers.get('location');
      const follow =
        (method === 'GET' || method === 'HEAD') && REDIRECT_STATUSES.has(response.status) && location !== null;
      if (!follow || hop >= MAX_REDIRECTS) return response;
      response.body.on('error', () => undefined);
      response.body.resume();
      const next = new URL(location, target);
      if (target.protocol === 'https:' && next.protocol !== 'https:') {
        throw new HttpRequestError({
          ...this.baseDetails(url, method, options, attempts),
          kind: 'network',
          reason: `refused to follow a redirect from ${target.origin} to ${next.origin}: it leaves https, and the request would go unencrypted`,
          requestSent: true,
        });
      }
      if (next.origin !== target.origin) headers = crossOriginHeaders(headers);
      current = next;
    }
  }

  /** An upload keeps the attempt's timer alive while it moves, as a download does (watchBody). */
  private sentBody(body: string | Buffer | Readable, attempt: Attempt): string | Buffer | Readable {
    if (!(body instanceof Readable)) return body;
    const armIdle = (): void => this.armTimer(attempt);
    const watched = idleTimerPassThrough(armIdle);
    body.on('error', (error: Error) => watched.destroy(error));
    return body.pipe(watched);
  }

  private watchBody(
    response: Response,
    attempt: Attempt,
    url: string,
    options: HttpRequestOptions,
    attempts: number,
  ): Readable {
    const source = response.body;
    let ended = false;
    const armIdle = (): void => this.armTimer(attempt);
    armIdle();
    const watched = idleTimerPassThrough(armIdle);
    source.on('error', (error: unknown) => {
      watched.destroy(
        this.failure(error, attempt, url, (options.method ?? 'GET').toUpperCase(), options, attempts, true),
      );
    });
    source.on('end', () => {
      ended = true;
    });
    watched.on('close', () => {
      this.stopTimer(attempt);
      attempt.release();
      if (!ended) {
        // The consumer gave up early: free the connection.
        attempt.controller.abort();
        if (source instanceof Readable) source.destroy();
      }
    });
    source.pipe(watched);
    return watched;
  }

  private baseDetails(url: string, method: string, options: HttpRequestOptions, attempts: number) {
    const parsed = new URL(url);
    return {
      method,
      origin: parsed.origin,
      path: redactWith(options, parsed.pathname),
      what: options.what,
      attempts,
      timeoutMs: this.settings.timeoutMs,
      duringBody: false,
    };
  }

  private failure(
    error: unknown,
    attempt: Attempt,
    url: string,
    method: string,
    options: HttpRequestOptions,
    attempts: number,
    duringBody: boolean,
  ): HttpRequestError {
    if (error instanceof HttpRequestError) return error;
    const kind: HttpFailureKind =
      options.signal?.aborted === true ? 'aborted' : attempt.timedOut ? 'timeout' : 'network';
    const code = errorCode(error);
    const requestSent =
      duringBody || (attempt.observer.requestSent && !(code !== undefined && NOT_SENT_CODES.has(code)));
    return new HttpRequestError(
      {
        ...this.baseDetails(url, method, options, attempts),
        kind,
        reason: kind === 'network' ? redactWith(options, reasonOf(error)) : kind,
        requestSent,
        duringBody: duringBody || (error instanceof Error && errorCode(error) === BODY_INCOMPLETE),
      },
      { cause: error },
    );
  }
}

function isNetworkFailure(error: unknown, attempt: Attempt): boolean {
  if (attempt.timedOut) return true;
  if (!(error instanceof Error)) return false;
  if ('type' in error && error.type === 'max-size') return false;
  return errorCode(error) !== undefined || error.name === 'FetchError';
}

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * node-fetch prefixes messages with the full URL; keep only the reason so messages stay short.
 */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const message = error.message.replace(/^request to \S+ failed, reason:\s*/, '');
  const code = errorCode(error);
  if (code === undefined || code === 'ERR_BODY_INCOMPLETE' || message.includes(code)) return message;
  return `${message} (${code})`;
}

function redactWith(options: HttpRequestOptions, text: string): string {
  return options.redact === undefined ? text : options.redact(text);
}

/** Origin and path of a URL for messages: no query, and the path redacted by the caller's rule. */
function describeUrl(url: string, options: HttpRequestOptions): string {
  const parsed = new URL(url);
  return `${parsed.origin}${redactWith(options, parsed.pathname)}`;
}

/** A pass-through that re-arms an attempt's idle timer on every chunk, so a moving body never times out. */
function idleTimerPassThrough(armIdle: () => void): Transform {
  return new Transform({
    readableHighWaterMark: STREAM_CHUNK,
    writableHighWaterMark: STREAM_CHUNK,
    transform(chunk: Buffer, _encoding, callback) {
      armIdle();
      callback(null, chunk);
    },
  });
}
