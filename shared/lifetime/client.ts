import type { Readable } from 'node:stream';
import type { HttpClient, HttpResponse } from '../http/client';
import { HttpRequestError } from '../http/errors';
import { downloadVersion as downloadToFile, type DownloadOptions, type DownloadResult } from './download';
import {
  LifeTimeError,
  LifeTimeNotFoundError,
  LifeTimeOutcomeUnknownError,
  LifeTimeResponseError,
  NoBinaryError,
  errorForFailure,
  errorForStatus,
} from './errors';
import { ApplicationDirectory, caseHint } from './directory';
import { redactDownloadKeys } from './redaction';
import type { ApplicationRef, EnvironmentRef, LifeTimeApplication } from './directory';
import type { ApplicationVersion, ApplicationVersionCreate, Environment } from './types';

export interface LifeTimeClientOptions {
  /** e.g. https://lt.example.com; a URL already ending in /lifetimeapi/rest/v2 is accepted too. */
  serverUrl: string;
  token: string;
  http: HttpClient;
  /** Task cancellation: aborts whatever request is in flight. */
  signal?: AbortSignal;
}

export interface DownloadLinkInfo {
  url: string;
  expires?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/** One request to the API, relative to its base (`deployments/`), as the deployment plan calls make them. */
export interface LifeTimeCall {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Query;
  /** How messages name what was asked for. */
  resource: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, streamed (a package); such a request is never repeated. */
  upload?: { stream: Readable; contentType: string; length: number };
  /** Replaces the client's own signal, e.g. to abort a plan after the task was cancelled. */
  signal?: AbortSignal;
}

export interface LifeTimeAnswer {
  response: HttpResponse;
  /** Method and path, for messages. */
  request: string;
}

type Call = LifeTimeCall;
type Answer = LifeTimeAnswer;

const API_PATH = '/lifetimeapi/rest/v2';

/** LifeTime Deployment API v2, the calls the air gap tasks need. */
export class LifeTimeClient {
  /** LifeTime origin for messages, e.g. https://lt.example.com. */
  readonly host: string;
  /** e.g. https://lt.example.com/lifetimeapi/rest/v2 (no trailing slash). */
  readonly apiBase: string;
  private readonly token: string;
  private readonly http: HttpClient;
  private readonly signal: AbortSignal | undefined;

  constructor(options: LifeTimeClientOptions) {
    const base = apiBaseOf(options.serverUrl);
    this.apiBase = base.href;
    this.host = base.origin;
    this.token = options.token;
    this.http = options.http;
    this.signal = options.signal;
    if (options.token.trim() === '') throw new Error(`no service account token was given for LifeTime ${this.host}`);
  }

  async listEnvironments(): Promise<Environment[]> {
    const items = await this.getList({ method: 'GET', path: 'environments/', resource: 'the list of environments' });
    return items.map((item) =>
      record(item, this.shapeError('the list of environments', 'an environment is not an object')),
    );
  }

  async getEnvironment(name: string): Promise<Environment & EnvironmentRef> {
    const all = await this.listEnvironments();
    const found = all.find((e) => e.Name === name);
    if (found?.Key !== undefined && found.Name !== undefined) return { ...found, Key: found.Key, Name: found.Name };
    const names = all.map((e) => e.Name).filter((n): n is string => typeof n === 'string');
    const available =
      names.length === 0 ? 'it lists no environments' : `it has ${names.map((n) => `"${n}"`).join(', ')}`;
    throw new LifeTimeNotFoundError(
      `environment "${name}" not found in LifeTime ${this.host} (${available})${caseHint(name, names)}`,
      { resource: `environment "${name}"`, host: this.host },
    );
  }

  /** Every application with a key (LifeTime lists none without one; such an entry could not be used anyway). */
  async listApplications(options: { includeEnvStatus?: boolean } = {}): Promise<LifeTimeApplication[]> {
    const resource = 'the list of applications';
    const items = await this.getList({
      method: 'GET',
      path: 'applications/',
      query: { IncludeModules: false, IncludeEnvStatus: options.includeEnvStatus ?? false },
      resource,
    });
    return items.map((item) => this.application(item, resource)).filter((a) => a !== undefined);
  }

  /** The applications, to look up by key, package UID or name: one list call. */
  async applicationDirectory(options: { includeEnvStatus?: boolean } = {}): Promise<ApplicationDirectory> {
    return new ApplicationDirectory(await this.listApplications(options));
  }

  async listVersions(appKey: string, options: { max?: number; label?: string } = {}): Promise<ApplicationVersion[]> {
    const resource = options.label ?? `application ${appKey}`;
    if (options.max !== undefined && (!Number.isInteger(options.max) || options.max < 0)) {
      throw new RangeError(`the number of versions to list for ${resource} must be a whole number ≥ 0`);
    }
    const items = await this.getList({
      method: 'GET',
      path: `applications/${segment(appKey)}/versions/`,
      query: { MaximumVersionsToReturn: options.max },
      resource,
    });
    return items.map((item) => this.version(item, resource));
  }

  async getVersion(appKey: string, versionKey: string, label?: string): Promise<ApplicationVersion> {
    const resource = label ?? `version ${versionKey} of application ${appKey}`;
    const body = await this.getObject({
      method: 'GET',
      path: `applications/${segment(appKey)}/versions/${segment(versionKey)}/`,
      // Marked required by the API reference.
      query: { IncludeModules: false },
      resource,
    });
    return this.version(body, resource);
  }

  async getDownloadLink(appKey: string, versionKey: string, label: string): Promise<DownloadLinkInfo> {
    const call: Call = {
      method: 'GET',
      path: `applications/${segment(appKey)}/versions/${segment(versionKey)}/content/`,
      resource: label,
    };
    const { response, request } = await this.send(call);
    if (response.status === 204) {
      throw new NoBinaryError(`LifeTime ${this.host} has no binary (.oap) for ${label} (204)`, {
        resource: label,
        host: this.host,
        status: 204,
        request,
      });
    }
    if (response.status !== 200) throw this.statusError(response, call, request);
    const body = record(
      this.parse(response, call, request),
      this.shapeError(label, 'the download link is not an object'),
    );
    const url = body.url;
    if (typeof url !== 'string' || url === '') throw this.shapeError(label, 'the download link has no url')();
    let absolute: URL;
    try {
      absolute = new URL(url, this.apiBase);
    } catch {
      throw this.shapeError(label, 'the download link is not a URL')();
    }
    if (absolute.protocol !== 'https:' && absolute.protocol !== 'http:') {
      throw this.shapeError(label, `the download link has scheme ${absolute.protocol}`)();
    }
    const expires = typeof body.expires === 'string' ? body.expires : (response.headers.get('expires') ?? undefined);
    return { url: absolute.href, ...(expires !== undefined ? { expires } : {}) };
  }

  /** Streams the version's .oap to destination (rewritten if it exists); see download.ts. */
  downloadVersion(
    appKey: string,
    versionKey: string,
    destination: string,
    options: DownloadOptions,
  ): Promise<DownloadResult> {
    return downloadToFile(
      {
        host: this.host,
        http: this.http,
        getDownloadLink: (a, v, label) => this.getDownloadLink(a, v, label),
        headersFor: (url) => this.downloadHeaders(url),
        redact: (text) => this.redact(text),
        statusError: (response, label, request) =>
          errorForStatus(response.status, {
            resource: label,
            host: this.host,
            request,
            attempts: response.attempts,
            serverErrors: this.serverErrors(response.body),
          }),
      },
      appKey,
      versionKey,
      destination,
      { ...options, ...(options.signal === undefined && this.signal !== undefined ? { signal: this.signal } : {}) },
    );
  }

  /**
   * Tags what currently runs in the environment. Never retried: when the connection drops after
   * the request went out, LifeTimeOutcomeUnknownError tells the caller to re-read the versions.
   */
  async createVersion(
    environment: EnvironmentRef,
    app: ApplicationRef,
    body: ApplicationVersionCreate,
  ): Promise<string> {
    const tag = body.Version === undefined ? 'a new version' : `version "${body.Version}"`;
    const call: Call = {
      method: 'POST',
      path: `environments/${segment(environment.Key)}/applications/${segment(app.Key)}/versions/`,
      resource: `${tag} of application "${app.Name}" in environment "${environment.Name}"`,
      body,
    };
    const { response, request } = await this.send(call);
    if (response.status !== 201 && response.status !== 200) throw this.statusError(response, call, request);
    const key = createdKey(response.body);
    if (key === undefined) {
      throw new LifeTimeResponseError(
        `LifeTime ${this.host} created ${call.resource} but its answer holds no ApplicationVersionKey (${request})`,
        { resource: call.resource, host: this.host, status: response.status, request },
      );
    }
    return key;
  }

  /**
   * One exchange for callers that word their own results (the deployment plan calls): any status
   * resolves; no response rejects with a LifeTimeError (LifeTimeOutcomeUnknownError when a POST or
   * DELETE may have been carried out).
   */
  exchange(call: LifeTimeCall): Promise<LifeTimeAnswer> {
    return this.send(call);
  }

  /** The error for an answer the caller did not expect, with LifeTime's `Errors` texts. */
  errorFor(answer: LifeTimeAnswer, call: LifeTimeCall): LifeTimeError {
    return this.statusError(answer.response, call, answer.request);
  }

  /** The answer's JSON (undefined when empty); LifeTimeResponseError when it is not JSON. */
  jsonOf(answer: LifeTimeAnswer, call: LifeTimeCall): unknown {
    return this.parse(answer.response, call, answer.request);
  }

  /** LifeTime's `Errors` texts of an answer, redacted. */
  errorsOf(answer: LifeTimeAnswer): string[] {
    return this.serverErrors(answer.response.body);
  }

  private downloadHeaders(url: string): Record<string, string> {
    const headers: Record<string, string> = { Accept: 'application/octet-stream', 'Accept-Encoding': 'identity' };
    // The link's key authorises the download; the token goes only back to LifeTime itself.
    if (new URL(url).origin === this.host) headers.Authorization = `Bearer ${this.token}`;
    return headers;
  }

  private async send(call: Call): Promise<Answer> {
    const url = new URL(call.path, `${this.apiBase}/`);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const request = `${call.method} ${url.pathname}`;
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `Bearer ${this.token}` };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    if (call.upload !== undefined) {
      headers['Content-Type'] = call.upload.contentType;
      headers['Content-Length'] = String(call.upload.length);
    }
    const signal = call.signal ?? this.signal;
    const body =
      call.upload !== undefined ? call.upload.stream : call.body !== undefined ? JSON.stringify(call.body) : undefined;
    try {
      const response = await this.http.request(url.href, {
        method: call.method,
        headers,
        idempotent: call.method === 'GET',
        what: `${call.resource} (LifeTime)`,
        redact: redactDownloadKeys,
        ...(body !== undefined ? { body } : {}),
        ...(signal !== undefined ? { signal } : {}),
      });
      return { response, request };
    } catch (error) {
      if (!(error instanceof HttpRequestError)) throw error;
      if (call.method !== 'GET' && error.details.requestSent) {
        throw new LifeTimeOutcomeUnknownError(
          `the connection to LifeTime ${this.host} was lost after sending the request for ${call.resource} (${request}: ${this.redact(error.details.reason)}): it may or may not have been carried out; check the current state in LifeTime before trying again`,
          { resource: call.resource, host: this.host, request },
          { cause: error },
        );
      }
      throw errorForFailure(error, call.resource, this.host, (text) => this.redact(text));
    }
  }

  /** 200 with a JSON array; 204 or an empty body is an empty list. */
  private async getList(call: Call): Promise<unknown[]> {
    const { response, request } = await this.send(call);
    if (response.status === 204) return [];
    if (response.status !== 200) throw this.statusError(response, call, request);
    const body = this.parse(response, call, request);
    if (body === undefined) return [];
    if (!Array.isArray(body)) throw this.shapeError(call.resource, `expected a list (${request})`)();
    return body as unknown[];
  }

  private async getObject(call: Call): Promise<unknown> {
    const { response, request } = await this.send(call);
    if (response.status !== 200) throw this.statusError(response, call, request);
    const body = this.parse(response, call, request);
    if (body === undefined) throw this.shapeError(call.resource, `empty answer (${request})`)();
    return body;
  }

  /** JSON body, or undefined for an empty one. */
  private parse(response: HttpResponse, call: Call, request: string): unknown {
    const text = response.body.toString('utf8').trim();
    if (text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      const type = response.headers.get('content-type') ?? 'no content type';
      throw new LifeTimeResponseError(
        `LifeTime ${this.host} answered ${request} for ${call.resource} with something that is not JSON (${response.status}, ${type}, ${response.body.length} bytes): is the URL that of LifeTime, and no proxy answering instead?`,
        { resource: call.resource, host: this.host, status: response.status, request },
      );
    }
  }

  private statusError(response: HttpResponse, call: Call, request: string): LifeTimeError {
    return errorForStatus(response.status, {
      resource: call.resource,
      host: this.host,
      request,
      attempts: response.attempts,
      serverErrors: this.serverErrors(response.body),
    });
  }

  /** LifeTime's `Errors` texts; they are server text, but redacted in case one echoes the token. */
  private serverErrors(body: Buffer): string[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return [];
    }
    if (typeof parsed !== 'object' || parsed === null || !('Errors' in parsed)) return [];
    const errors: unknown = parsed.Errors;
    if (!Array.isArray(errors)) return [];
    return errors
      .filter((e): e is string => typeof e === 'string' && e.trim() !== '')
      .map((e) => this.redact(e.length > 500 ? `${e.slice(0, 500)}…` : e));
  }

  private redact(text: string): string {
    return this.token.length < 4 ? text : text.split(this.token).join('***');
  }

  private shapeError(resource: string, problem: string): () => LifeTimeResponseError {
    return () =>
      new LifeTimeResponseError(`unexpected answer from LifeTime ${this.host} for ${resource}: ${problem}`, {
        resource,
        host: this.host,
      });
  }

  private application(item: unknown, resource: string): LifeTimeApplication | undefined {
    const value = record(item, this.shapeError(resource, 'an application is not an object'));
    if (typeof value.Name !== 'string') throw this.shapeError(resource, 'an application has no Name')();
    if (typeof value.Key !== 'string' || value.Key === '') return undefined;
    return { ...value, Key: value.Key, Name: value.Name, Kind: typeof value.Kind === 'string' ? value.Kind : '' };
  }

  private version(item: unknown, resource: string): ApplicationVersion {
    const value = record(item, this.shapeError(resource, 'a version is not an object'));
    if (typeof value.Key !== 'string') throw this.shapeError(resource, 'a version has no Key')();
    return { ...value, Key: value.Key };
  }
}

function apiBaseOf(serverUrl: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(serverUrl.trim());
  } catch {
    throw new Error(`the LifeTime URL "${serverUrl}" is not a URL; expected e.g. https://lifetime.example.com`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`the LifeTime URL must start with https:// (got ${parsed.protocol}//${parsed.host})`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new Error(
      `the LifeTime URL for ${parsed.host} must not contain credentials; the token is the service connection's`,
    );
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const at = path.toLowerCase().indexOf(API_PATH);
  // LifeTime at x.com/lifetime still has its API at x.com/lifetimeapi; only an explicit API path keeps a prefix.
  const prefix = at >= 0 ? path.slice(0, at) : '';
  return new URL(`${parsed.origin}${prefix}${API_PATH}`);
}

function segment(key: string): string {
  return encodeURIComponent(key);
}

function record(value: unknown, error: () => LifeTimeError): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw error();
  return value as Record<string, unknown>;
}

/** `{"ApplicationVersionKey": "…"}` as documented; a bare key (JSON string or text) is accepted too. */
function createdKey(body: Buffer): string | undefined {
  const text = body.toString('utf8').trim();
  if (text === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return /^[0-9a-f-]{32,36}$/i.test(text) ? text : undefined;
  }
  if (typeof parsed === 'string' && parsed !== '') return parsed;
  if (typeof parsed === 'object' && parsed !== null && 'ApplicationVersionKey' in parsed) {
    const key = parsed.ApplicationVersionKey;
    if (typeof key === 'string' && key !== '') return key;
  }
  return undefined;
}
