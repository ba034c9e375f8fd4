/**
 * A request that got no usable HTTP response. Carries what callers need to word their own
 * message (origin, path, what was being fetched); it never holds request headers, so no token.
 */
export type HttpFailureKind = 'timeout' | 'network' | 'aborted';

export interface HttpFailureDetails {
  kind: HttpFailureKind;
  method: string;
  /** scheme://host[:port] of the URL that failed. */
  origin: string;
  /** Path of the URL that failed, without the query, redacted by the caller's rule (see HttpRequestOptions.redact). */
  path: string;
  what: string;
  attempts: number;
  timeoutMs: number;
  /**
   * false when the connection failed before the request was written (so a POST was certainly
   * not processed); true when it may have reached the server.
   */
  requestSent: boolean;
  /** Low-level reason, e.g. "ECONNREFUSED" or "connection closed before the whole body arrived". */
  reason: string;
  /** true when the failure happened while a response body was being read. */
  duringBody: boolean;
}

export class HttpRequestError extends Error {
  readonly details: HttpFailureDetails;

  constructor(details: HttpFailureDetails, options?: { cause?: unknown }) {
    super(describe(details), options);
    this.name = 'HttpRequestError';
    this.details = details;
  }
}

function describe(d: HttpFailureDetails): string {
  const where = `${d.method} ${d.origin}${d.path}`;
  const tries = d.attempts > 1 ? `, ${d.attempts} attempts` : '';
  switch (d.kind) {
    case 'timeout':
      return `no response from ${d.origin} within ${formatSeconds(d.timeoutMs)} for ${d.what} (${where}${tries})`;
    case 'aborted':
      return `cancelled while waiting for ${d.origin} for ${d.what} (${where})`;
    case 'network':
      return `could not reach ${d.origin} for ${d.what}: ${d.reason} (${where}${tries})`;
  }
}

export function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? String(seconds) : seconds.toFixed(1)} s`;
}
