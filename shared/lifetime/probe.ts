import type { HttpClient } from '../http/client';
import { HttpRequestError, formatSeconds } from '../http/errors';

export interface ProbeClientOptions {
  /** The probe's host (https://regression.example.com) or its full …/CI_CDProbe/rest/v1 URL. */
  baseUrl: string;
  /** Sent as X-CICDProbe-Key when the probe has its key check enabled. */
  key?: string;
  http: HttpClient;
  signal?: AbortSignal;
}

/** Any failure of the CI/CD Probe; messages name the application and the probe host, never the key. */
export class ProbeError extends Error {
  readonly host: string;
  readonly status: number | undefined;

  constructor(message: string, host: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProbeError';
    this.host = host;
    this.status = status;
  }
}

const PROBE_PATH = '/CI_CDProbe/rest/v1';

/** The OutSystems CI/CD Probe (a Forge component), asked for an application version's producers. */
export class ProbeClient {
  readonly host: string;
  readonly base: string;
  private readonly key: string | undefined;
  private readonly http: HttpClient;
  private readonly signal: AbortSignal | undefined;

  constructor(options: ProbeClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.baseUrl.trim());
    } catch {
      throw new Error(
        `the CI/CD Probe URL "${options.baseUrl}" is not a URL; expected e.g. https://regression.example.com`,
      );
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new Error(`the CI/CD Probe URL must start with https:// (got ${parsed.protocol}//${parsed.host})`);
    }
    const path = parsed.pathname.replace(/\/+$/, '');
    const at = path.toLowerCase().indexOf(PROBE_PATH.toLowerCase());
    this.base = `${parsed.origin}${at >= 0 ? path.slice(0, at) : ''}${PROBE_PATH}`;
    this.host = parsed.origin;
    this.key = options.key === undefined || options.key === '' ? undefined : options.key;
    this.http = options.http;
    this.signal = options.signal;
  }

  /** LifeTime application keys of the producers of that application version. */
  async getApplicationDependencies(appName: string, version: string): Promise<string[]> {
    const url = new URL(`${this.base}/GetApplicationDependencies`);
    url.searchParams.set('ApplicationName', appName);
    url.searchParams.set('ApplicationVersion', version);
    const what = `the producers of application "${appName}" version ${version}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.key !== undefined) headers['X-CICDProbe-Key'] = this.key;
    let response;
    try {
      response = await this.http.request(url.href, {
        headers,
        what: `${what} (CI/CD Probe)`,
        ...(this.signal !== undefined ? { signal: this.signal } : {}),
      });
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      const d = error.details;
      const problem =
        d.kind === 'timeout'
          ? `no response within ${formatSeconds(d.timeoutMs)}`
          : d.kind === 'aborted'
            ? 'cancelled'
            : this.redact(d.reason);
      throw new ProbeError(`could not ask the CI/CD Probe ${this.host} for ${what}: ${problem}`, this.host, undefined, {
        cause: error,
      });
    }
    if (response.status === 204) return [];
    if (response.status !== 200) {
      const hint =
        response.status === 401 || response.status === 403
          ? this.key === undefined
            ? ': the probe requires a key (probeKey)'
            : ': the probe refused the key (probeKey)'
          : response.status === 404
            ? `: is the CI/CD Probe installed there, and does it know that application version? (${this.base})`
            : '';
      throw new ProbeError(
        `the CI/CD Probe ${this.host} answered ${response.status} when asked for ${what}${hint}`,
        this.host,
        response.status,
      );
    }
    const text = response.body.toString('utf8').trim();
    if (text === '') return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProbeError(`the CI/CD Probe ${this.host} did not answer JSON for ${what}`, this.host, 200);
    }
    if (!Array.isArray(parsed)) {
      throw new ProbeError(`the CI/CD Probe ${this.host} did not answer a list for ${what}`, this.host, 200);
    }
    const keys = (parsed as unknown[]).map((item) =>
      typeof item === 'object' && item !== null && 'ApplicationKey' in item ? item.ApplicationKey : undefined,
    );
    if (keys.some((k) => typeof k !== 'string' || k === '')) {
      throw new ProbeError(
        `the CI/CD Probe ${this.host} listed a producer without ApplicationKey for ${what}`,
        this.host,
        200,
      );
    }
    return [...new Set(keys as string[])];
  }

  private redact(text: string): string {
    return this.key === undefined || this.key.length < 4 ? text : text.split(this.key).join('***');
  }
}
