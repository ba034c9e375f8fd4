import { HttpRequestError, formatSeconds } from '../http/errors';

/**
 * Errors of the LifeTime client. Every message names the resource and the LifeTime host; none
 * holds the token (the client redacts server text that might echo it).
 */
export interface LifeTimeErrorDetails {
  /** How messages name what was asked for, e.g. 'application "Customer Portal"'. */
  resource: string;
  /** LifeTime origin, e.g. https://lt.example.com. */
  host: string;
  status?: number;
  /** The `Errors` texts of LifeTime's error body, when it sent one. */
  serverErrors?: string[];
  /** Method and path of the request, e.g. "GET /lifetimeapi/rest/v2/applications/". */
  request?: string;
}

export class LifeTimeError extends Error {
  readonly resource: string;
  readonly host: string;
  readonly status: number | undefined;
  readonly serverErrors: string[];
  readonly request: string | undefined;

  constructor(message: string, details: LifeTimeErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.resource = details.resource;
    this.host = details.host;
    this.status = details.status;
    this.serverErrors = details.serverErrors ?? [];
    this.request = details.request;
  }
}

/** 404: the application, version or environment does not exist (or not any more). */
export class LifeTimeNotFoundError extends LifeTimeError {}
/** 401/403: `reason` says whether the token itself was refused or the account lacks permission. */
export class LifeTimeAuthError extends LifeTimeError {
  get reason(): 'invalid-token' | 'forbidden' {
    return this.status === 401 ? 'invalid-token' : 'forbidden';
  }
}
export class LifeTimeBadRequestError extends LifeTimeError {}
export class LifeTimeServerError extends LifeTimeError {}
/** No response at all: connection refused, DNS, TLS, timeout, reset. */
export class LifeTimeNetworkError extends LifeTimeError {}
/** The task was cancelled while waiting for LifeTime. */
export class LifeTimeCancelledError extends LifeTimeError {}
/** A body that is not JSON or not the documented shape. */
export class LifeTimeResponseError extends LifeTimeError {}
/** A POST may or may not have been processed: re-read the state before trying again. */
export class LifeTimeOutcomeUnknownError extends LifeTimeError {}
/** 204 from the content endpoint: LifeTime has no binary for that version. */
export class NoBinaryError extends LifeTimeError {}
/** The package download failed: truncated, wrong length, refused link. */
export class DownloadError extends LifeTimeError {}

/** `: first; second` from LifeTime's Errors, or nothing. */
export function serverText(errors: string[]): string {
  return errors.length === 0 ? '' : `: ${errors.join('; ')}`;
}

export interface StatusContext {
  resource: string;
  host: string;
  request: string;
  attempts: number;
  serverErrors: string[];
}

/** The error for an HTTP status the caller did not expect. */
export function errorForStatus(status: number, c: StatusContext): LifeTimeError {
  const details = { resource: c.resource, host: c.host, status, serverErrors: c.serverErrors, request: c.request };
  const text = serverText(c.serverErrors);
  switch (status) {
    case 400:
      return new LifeTimeBadRequestError(
        `LifeTime ${c.host} rejected the request for ${c.resource} as invalid (400, ${c.request})${text}`,
        details,
      );
    case 401:
      return new LifeTimeAuthError(
        `LifeTime ${c.host} refused the service account token for ${c.resource} (401)${text}: the token is invalid, expired or was replaced by a newer one; generate a new token in LifeTime (User Management › Service Accounts) and update the service connection`,
        details,
      );
    case 403:
      return new LifeTimeAuthError(
        `the LifeTime service account may not access ${c.resource} on ${c.host} (403)${text}: give its role the needed permission on that application or environment (or, if its token was just regenerated, update the service connection)`,
        details,
      );
    case 404:
      return new LifeTimeNotFoundError(`${c.resource} not found in LifeTime ${c.host} (404)${text}`, details);
    default: {
      const tries = c.attempts > 1 ? ` after ${c.attempts} attempts` : '';
      if (status >= 500) {
        return new LifeTimeServerError(
          `LifeTime ${c.host} failed on ${c.resource}: ${c.request} answered ${status}${tries}${text}`,
          details,
        );
      }
      return new LifeTimeError(
        `unexpected answer from LifeTime ${c.host} for ${c.resource}: ${c.request} answered ${status}${tries}${text}`,
        details,
      );
    }
  }
}

/** The error for a request that got no response. */
export function errorForFailure(
  failure: HttpRequestError,
  resource: string,
  host: string,
  redact: (text: string) => string,
): LifeTimeError {
  const d = failure.details;
  const details = { resource, host, request: `${d.method} ${d.path}` };
  const tries = d.attempts > 1 ? `, ${d.attempts} attempts` : '';
  switch (d.kind) {
    case 'aborted':
      return new LifeTimeCancelledError(`cancelled while waiting for LifeTime ${host} for ${resource}`, details, {
        cause: failure,
      });
    case 'timeout':
      return new LifeTimeNetworkError(
        `no response from LifeTime ${host} within ${formatSeconds(d.timeoutMs)} for ${resource} (${d.method} ${d.path}${tries})`,
        details,
        { cause: failure },
      );
    case 'network':
      return new LifeTimeNetworkError(
        `could not reach LifeTime ${host} for ${resource}: ${redact(d.reason)} (${d.method} ${d.path}${tries})`,
        details,
        { cause: failure },
      );
  }
}
