import * as fs from 'node:fs';
import type { MobileVersion } from '../../shared/lifetime/types';
import { createFromBinary, deploymentZones, deploymentsApi, type DeploymentContext } from './deploymentRoutes';
import type { DownloadLinks } from './downloadLinks';
import type { PackageStore } from './packages';
import { queryBoolean, queryValue } from './query';
import { empty, json, type Reply } from './replies';
import { applicationJson, environmentJson, exceptionBody, versionJson, type StatusOptions } from './representations';
import type { FaultSpec } from './spec';
import { describedBySwagger } from './swaggerPaths';
import type { Upload } from './uploads';

export interface LifeTimeContext extends DeploymentContext {
  links: DownloadLinks;
  packages: PackageStore;
  url: string;
  apiBase: string;
  duplicateTagStatus: 400 | 500;
}

export interface ApiRequest {
  method: string;
  /** The path below the API base, without a trailing slash, split into decoded segments. */
  segments: string[];
  query: URLSearchParams;
  body: Buffer;
  /** The body of a binary deployment, streamed to disk instead of `body`. */
  upload?: Upload;
}

/** A resource or method the emulator does not serve; lifeTimeApi decides what is answered. */
function notServed(status: 404 | 405): Reply {
  return { ...error(status, status === 404 ? 'Resource not found.' : 'Method not allowed.'), notServed: true };
}

function error(status: number, message: string): Reply {
  return json(status, exceptionBody(status, message));
}

function statusOptions(query: URLSearchParams): StatusOptions | Reply {
  const includeModules = queryBoolean(query, 'IncludeModules');
  const includeEnvStatus = queryBoolean(query, 'IncludeEnvStatus');
  if (includeModules === undefined || includeEnvStatus === undefined) {
    return error(400, 'Invalid request: IncludeModules and IncludeEnvStatus must be true or false.');
  }
  if (includeModules && !includeEnvStatus) {
    return error(400, 'IncludeModules was requested but IncludeEnvStatus was not.');
  }
  return { includeModules, includeEnvStatus };
}

function isReply(value: StatusOptions | Reply): value is Reply {
  return 'status' in value;
}

/** Downloads need no token: the key in the URL authorises them ([INF] §1.3, the pipeline sends no Bearer). */
export function download(ctx: LifeTimeContext, key: string, fault: FaultSpec | undefined): Reply {
  if (fault?.kind === 'expired-link') ctx.links.expire(key);
  const link = ctx.links.resolve(key);
  // The download's statuses are undocumented; 404 for an unknown or expired key is [INF] §1.3.
  if (!link) return error(404, `The download link ${key} does not exist or has expired.`);
  return {
    status: 200,
    body: { kind: 'file', path: link.filePath, size: fileSize(link.filePath), name: link.fileName },
  };
}

function fileSize(filePath: string): number {
  return fs.statSync(filePath).size;
}

function parseMobileVersions(value: unknown): MobileVersion[] | undefined {
  // The pipeline sends null or [] for web applications ([PY] §1.3).
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return undefined;
  const result: MobileVersion[] = [];
  for (const item of value as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const record = item as Record<string, unknown>;
    const mobile: MobileVersion = {};
    for (const field of ['NativePlatform', 'VersionNumber', 'VersionDescription'] as const) {
      const v = record[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') return undefined;
      mobile[field] = v;
    }
    result.push(mobile);
  }
  return result;
}

function createTag(ctx: LifeTimeContext, envKey: string, appKey: string, body: Buffer): Promise<Reply> | Reply {
  const env = ctx.state.environmentByKey(envKey);
  const app = ctx.state.applicationByKey(appKey);
  if (!env || !app) return error(404, 'Environment or application not found.');
  if (!app.running.has(env.key)) {
    return error(404, `Application ${app.name} is not running in environment ${env.name}.`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // §1.3 documents 400 "Invalid request" for a tag POST; that an unparsable body is one is [INF].
    return error(400, 'Invalid request: the body is not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return error(400, 'Invalid request: the body must be an ApplicationVersionCreate object.');
  }
  const record = parsed as Record<string, unknown>;
  const version = record.Version;
  const changeLog = record.ChangeLog ?? '';
  const mobile = parseMobileVersions(record.MobileVersions);
  // Version is Text(50) [DOC S3]; the schema marks it optional but a tag without one means nothing.
  if (typeof version !== 'string' || version.trim() === '' || version.length > 50) {
    return error(400, 'Invalid request: Version must be a non-empty text of at most 50 characters.');
  }
  if (typeof changeLog !== 'string' || mobile === undefined) {
    return error(400, 'Invalid request: ChangeLog must be text and MobileVersions a list.');
  }
  if (app.versions.some((v) => v.version === version)) {
    // [INF] §5: LifeTime's answer to a duplicate is undocumented; configurable 400 or 500.
    const status = ctx.duplicateTagStatus;
    return error(
      status,
      `Failed to create a new version for application ${app.name}: version ${version} already exists.`,
    );
  }
  const created = ctx.state.tag(app, env, version, changeLog, mobile);
  return ctx.packages.generate(app, created).then(() => json(201, { ApplicationVersionKey: created.key }));
}

/*
 * Paths and methods the Swagger file does not describe get 404 "Resource not found." and 405
 * "Method not allowed." with the Exception body: the reference documents no answer for them
 * ([UNK], lifetime-api-osptool-oap.md §1.1), and these are what any REST server gives; the client
 * treats both as errors naming the resource.
 */
function environments(ctx: LifeTimeContext, req: ApiRequest): Reply | Promise<Reply> {
  const [, envKey, sub, appKey, leaf, ...rest] = req.segments;
  if (envKey === undefined) {
    if (req.method !== 'GET') return notServed(405);
    const list = ctx.state.environments.map((e) => environmentJson(e, ctx.url));
    return list.length === 0 ? empty(204) : json(200, list);
  }
  const env = ctx.state.environmentByKey(envKey);
  if (sub === undefined) {
    if (req.method !== 'GET') return notServed(405);
    return env ? json(200, environmentJson(env, ctx.url)) : error(404, `Environment ${envKey} not found.`);
  }
  if (sub === 'deploymentzones' && appKey === undefined) {
    return req.method === 'GET' ? deploymentZones(ctx, envKey) : notServed(405);
  }
  if (sub === 'deployment' && appKey === undefined) {
    return req.method === 'POST' ? createFromBinary(ctx, envKey, req.upload) : notServed(405);
  }
  if (sub !== 'applications' || rest.length > 0) return notServed(404);
  if (leaf === 'versions') {
    if (req.method !== 'POST') return notServed(405);
    return createTag(ctx, envKey, appKey ?? '', req.body);
  }
  if (leaf !== undefined) return notServed(404);
  if (req.method !== 'GET') return notServed(405);
  const options = statusOptions(req.query);
  if (isReply(options)) return options;
  if (!env) return error(404, `Environment ${envKey} not found.`);
  if (appKey === undefined) {
    const running = ctx.state.applications.filter((a) => a.running.has(env.key));
    if (running.length === 0) return empty(204);
    return json(
      200,
      running.map((a) => applicationJson(ctx.state, a, ctx.url, { ...options, onlyEnvironmentKey: env.key })),
    );
  }
  const app = ctx.state.applicationByKey(appKey);
  if (!app) return error(404, `Application ${appKey} not found.`);
  if (!app.running.has(env.key))
    return error(404, `Application ${app.name} is not running in environment ${env.name}.`);
  return json(200, applicationJson(ctx.state, app, ctx.url, { ...options, onlyEnvironmentKey: env.key }));
}

function versionsList(ctx: LifeTimeContext, appKey: string, query: URLSearchParams): Reply {
  const raw = queryValue(query, 'MaximumVersionsToReturn');
  let max = 5;
  if (raw !== undefined && raw !== '') {
    if (!/^[+-]?\d+$/.test(raw) || Number(raw) < 0) {
      return error(400, 'Invalid request due to invalid max versions to return (less than 0).');
    }
    max = Number(raw);
  }
  const app = ctx.state.applicationByKey(appKey);
  if (!app) return error(404, `Application ${appKey} not found.`);
  const filter = queryValue(query, 'ChangeLogFilter') ?? '';
  const versions = ctx.state
    .versionsNewestFirst(app)
    .filter((v) => v.changeLog.includes(filter))
    .slice(0, max);
  return json(
    200,
    versions.map((v) => versionJson(ctx.state, app, v)),
  );
}

function content(ctx: LifeTimeContext, appKey: string, versionKey: string): Reply {
  const app = ctx.state.applicationByKey(appKey);
  const version = app?.versions.find((v) => v.key === versionKey.toLowerCase());
  if (!app || !version) {
    return error(
      404,
      `Failed to retrieve the application with key ${appKey} or the application version with key ${versionKey}.`,
    );
  }
  if (version.noBinary) return empty(204);
  const link = ctx.links.issue(ctx.packages.pathFor(app, version), ctx.packages.fileNameFor(app));
  const expires = link.expiresAt.toISOString();
  // The Swagger file gives the Expires header as a date-time, the same instant as the body's.
  return json(200, { url: `${ctx.apiBase}/downloads/${link.key}`, expires }, { Expires: expires });
}

function applications(ctx: LifeTimeContext, req: ApiRequest): Reply {
  const [, appKey, sub, versionKey, leaf, ...rest] = req.segments;
  if (req.method !== 'GET') return notServed(405);
  if (rest.length > 0) return notServed(404);
  if (appKey === undefined || sub === undefined) {
    const options = statusOptions(req.query);
    if (isReply(options)) return options;
    if (appKey === undefined) {
      const list = ctx.state.applications.map((a) => applicationJson(ctx.state, a, ctx.url, options));
      return list.length === 0 ? empty(204) : json(200, list);
    }
    const app = ctx.state.applicationByKey(appKey);
    // [INF] §1.3: 404 for an unknown application (the documented 404 text is about environments).
    return app
      ? json(200, applicationJson(ctx.state, app, ctx.url, options))
      : error(404, `Application ${appKey} not found.`);
  }
  if (sub !== 'versions') return notServed(404);
  if (versionKey === undefined) return versionsList(ctx, appKey, req.query);
  if (leaf === 'content') return content(ctx, appKey, versionKey);
  if (leaf !== undefined) return notServed(404);
  const app = ctx.state.applicationByKey(appKey);
  const version = app?.versions.find((v) => v.key === versionKey.toLowerCase());
  if (!app || !version) return error(404, `Application version ${versionKey} of application ${appKey} not found.`);
  return json(200, versionJson(ctx.state, app, version));
}

function route(ctx: LifeTimeContext, req: ApiRequest): Reply | Promise<Reply> {
  switch (req.segments[0]) {
    case 'environments':
      return environments(ctx, req);
    case 'applications':
      return applications(ctx, req);
    case 'deployments':
      return deploymentsApi(ctx, { ...req, segments: req.segments.slice(1) }) ?? notServed(404);
    default:
      return notServed(404);
  }
}

/**
 * The authenticated part of the LifeTime API v2 that the extension uses. A path and method the
 * vendor's Swagger file describes but the emulator does not serve answers 501: a 404 there would
 * read as "that environment or plan does not exist" to a client.
 */
export async function lifeTimeApi(ctx: LifeTimeContext, req: ApiRequest): Promise<Reply> {
  const reply = await route(ctx, req);
  if (reply.notServed !== true) return reply;
  if (describedBySwagger(req.method, '/' + req.segments.join('/'))) {
    return error(
      501,
      `The emulator does not serve ${req.method} /${req.segments.join('/')}/ (described by the LifeTime API).`,
    );
  }
  return reply;
}

export { error as errorReply };
