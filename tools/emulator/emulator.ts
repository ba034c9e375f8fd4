import * as fs from 'node:fs';
import { setMaxListeners } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ApplicationVersion } from '../../shared/lifetime/types';
import { uidToGuid } from '../../shared/oap/uid';
import { controlPrefix, parsePublished, stateJson } from './controlRoutes';
import type { DeploymentKeyAnswer, DeploymentScript, ForeignDeploymentSpec } from './deploymentSpec';
import { DeploymentStore, type PlanState } from './deploymentState';
import { DownloadLinks } from './downloadLinks';
import { FaultQueue } from './faults';
import { download, errorReply, lifeTimeApi, type LifeTimeContext } from './lifetimeRoutes';
import { PackageStore } from './packages';
import { probe, probePath } from './probeRoute';
import { json, pause, writeReply, type Reply } from './replies';
import { exceptionBody, versionJson } from './representations';
import type { AuthKind, EmulatorSpec, FaultSpec, RequestLogEntry } from './spec';
import { EmulatorState } from './state';
import { receiveUpload, type Upload } from './uploads';

export type { DeploymentKeyAnswer, DeploymentScript, ForeignDeploymentSpec } from './deploymentSpec';
export type {
  AuthKind,
  EmulatorApplicationSpec,
  EmulatorEnvironmentSpec,
  EmulatorSpec,
  EmulatorVersionSpec,
  FaultSpec,
  RequestLogEntry,
} from './spec';
export { platformApplications } from './platform';

export const apiBasePath = '/lifetimeapi/rest/v2';
const maxRequestBody = 1024 * 1024;
/** The binary deployment endpoint, whose body (a package) is streamed to disk. */
const binaryDeploymentPath = new RegExp(`^${apiBasePath}/environments/[^/]+/deployment/?$`, 'i');

/** What the tests read to assert that each package was deployed exactly once. */
export interface DeploymentRecord {
  key: string;
  origin: 'binary' | 'versions';
  target: string;
  source?: string;
  createdBy: string;
  notes: string;
  applications: { name: string; key: string; version?: string; binarySha256?: string }[];
  status: string;
  info: string;
  /** Commands LifeTime accepted for the plan, in order (`start`, `continue`, `abort`, `delete`). */
  commands: string[];
  deleted: boolean;
  log: string[];
}

export interface EmulatorOptions {
  port?: number;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Parent folder of the emulator's own temporary folder, which close() removes. */
  workDir?: string;
}

function authKind(header: string | undefined, token: string): AuthKind {
  if (header === undefined || header === '') return 'none';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) return 'other';
  return match[1] === token ? 'bearer' : 'bad-token';
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxRequestBody) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function statusFaultReply(fault: Extract<FaultSpec, { kind: 'status' }>): Reply {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
  if (fault.status === 204 || fault.status === 304) return { status: fault.status, headers };
  if (fault.rawBody !== undefined) {
    return {
      status: fault.status,
      headers,
      body: { kind: 'raw', text: fault.rawBody, contentType: 'application/json' },
    };
  }
  const body = fault.body ?? exceptionBody(fault.status, `Injected failure (HTTP ${fault.status}).`);
  return json(fault.status, body, headers);
}

/** A LifeTime Deployment API v2 (plus CI/CD Probe) on loopback, with fault injection and a request log. */
export class LifeTimeEmulator {
  readonly url: string;
  readonly apiBase: string;
  readonly requests: RequestLogEntry[] = [];
  private readonly faults = new FaultQueue();
  /** Every pending pause listens to it: a latency row has many in flight, hence no listener limit. */
  private readonly closing = unlimitedAbortController();
  private latencyMs: number;
  private closed: Promise<void> | undefined;
  private readonly context: LifeTimeContext;
  private readonly deploymentStore: DeploymentStore;

  private constructor(
    private readonly spec: EmulatorSpec,
    private readonly state: EmulatorState,
    private readonly packages: PackageStore,
    private readonly workDir: string,
    private readonly server: http.Server,
    url: string,
  ) {
    this.url = url;
    this.apiBase = url + apiBasePath;
    this.latencyMs = spec.latencyMs ?? 0;
    this.deploymentStore = new DeploymentStore(state, spec.deployments);
    this.context = {
      state,
      deployments: this.deploymentStore,
      // The Swagger file's DeploymentResponse for a binary; the key as text for a plan between environments.
      keyAnswer: { binary: 'object', versions: 'text' },
      packages,
      links: new DownloadLinks(spec.linkTtlMs ?? 60 * 60 * 1000),
      url: this.url,
      apiBase: this.apiBase,
      duplicateTagStatus: spec.duplicateTagStatus ?? 400,
    };
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      void this.handle(req, res);
    });
  }

  static async start(spec: EmulatorSpec, options: EmulatorOptions = {}): Promise<LifeTimeEmulator> {
    const state = new EmulatorState(spec);
    const workDir = await fs.promises.mkdtemp(path.join(options.workDir ?? os.tmpdir(), 'lifetime-emulator-'));
    const packages = new PackageStore(workDir, state);
    const server = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert })
      : http.createServer();
    try {
      await packages.generateAll();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      await fs.promises.rm(workDir, { recursive: true, force: true });
      throw e;
    }
    const { port } = server.address() as AddressInfo;
    return new LifeTimeEmulator(
      spec,
      state,
      packages,
      workDir,
      server,
      `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    );
  }

  injectFault(fault: FaultSpec): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  expireDownloadLinks(): void {
    this.context.links.expireAll();
  }

  /** The next plan carrying this application (by name) follows these scripts, one plan each. */
  scriptDeployment(applicationName: string, ...scripts: DeploymentScript[]): void {
    this.deploymentStore.script(applicationName, ...scripts);
  }

  /** A plan someone else made in LifeTime; returns its key. */
  addDeployment(spec: ForeignDeploymentSpec): string {
    return this.deploymentStore.addForeign(spec).key;
  }

  /** A person aborts the plan in LifeTime's UI. */
  abortDeploymentAsPerson(key: string): void {
    const plan = this.deploymentStore.find(key);
    if (!plan) throw new Error(`The emulator has no deployment ${key}`);
    this.deploymentStore.personAborts(plan);
  }

  /** The shape in which the key of a new plan is answered (plain text, a JSON string, `{"DeploymentKey": …}`). */
  setDeploymentKeyAnswer(form: DeploymentKeyAnswer, endpoint: 'binary' | 'versions' | 'both' = 'both'): void {
    if (endpoint !== 'versions') this.context.keyAnswer.binary = form;
    if (endpoint !== 'binary') this.context.keyAnswer.versions = form;
  }

  /** Every plan ever created, deleted ones included, brought up to date. */
  deployments(): DeploymentRecord[] {
    this.deploymentStore.live();
    return this.deploymentStore.plans.map((p) => this.deploymentRecord(p));
  }

  private deploymentRecord(p: PlanState): DeploymentRecord {
    const record: DeploymentRecord = {
      key: p.key,
      origin: p.origin,
      target: p.target.name,
      createdBy: p.createdBy,
      notes: p.notes,
      applications: p.operations.map((op) => ({
        name: op.application.name,
        key: op.application.key,
        ...(op.versionKey !== undefined ? { version: op.versionLabel } : {}),
        ...(op.binarySha256 !== undefined ? { binarySha256: op.binarySha256 } : {}),
      })),
      status: p.status,
      info: p.info,
      commands: [...p.commands],
      deleted: p.deleted,
      log: p.log.map((l) => l.Message),
    };
    if (p.source) record.source = p.source.name;
    return record;
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  packagePath(appName: string, version: string): string {
    const app = this.state.applicationByName(appName);
    const found = app?.versions.find((v) => v.version === version);
    if (!app || !found) throw new Error(`The emulator has no version ${version} of "${appName}"`);
    if (found.noBinary) throw new Error(`Version ${version} of "${appName}" has no binary (noBinary)`);
    return this.packages.pathFor(app, found);
  }

  application(name: string): { key: string; uid: string; name: string } | undefined {
    const app = this.state.applicationByName(name);
    return app && { key: app.key, uid: app.uid, name: app.name };
  }

  versions(appName: string): ApplicationVersion[] {
    const app = this.state.applicationByName(appName);
    if (!app) throw new Error(`The emulator has no application "${appName}"`);
    return this.state.versionsNewestFirst(app).map((v) => versionJson(this.state, app, v));
  }

  running(envName: string, appName: string): { versionKey: string; version?: string; modified: boolean } | undefined {
    const env = this.state.environmentByName(envName);
    const app = this.state.applicationByName(appName);
    const run = env && app?.running.get(env.key);
    if (!app || !run) return undefined;
    const version = app.versions.find((v) => v.key === run.baseVersionKey)?.version;
    return version === undefined
      ? { versionKey: run.baseVersionKey, modified: run.modified }
      : { versionKey: run.baseVersionKey, version, modified: run.modified };
  }

  markPublished(hostName: string, app: { uid: string; name: string }): void {
    this.publish(hostName, app);
  }

  /** The key of the application now running there. */
  private publish(hostName: string, app: { uid: string; name: string }): string {
    const env = this.state.environmentByHost(hostName);
    if (!env) throw new Error(`No environment of this LifeTime has host name ${hostName}`);
    const key = uidToGuid(app.uid);
    if (key === undefined) throw new Error(`"${app.uid}" is not an OutSystems application UID`);
    return this.state.markPublished(env, app.uid, app.name, key).key;
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort();
      const closedServer = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await closedServer;
      await fs.promises.rm(this.workDir, { recursive: true, force: true });
    })();
    return this.closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const entry: RequestLogEntry = {
      method,
      path: parsed.pathname,
      query: parsed.search.replace(/^\?/, ''),
      status: 0,
      auth: authKind(req.headers.authorization, this.spec.token),
      at: Date.now(),
    };
    this.requests.push(entry);
    const signal = this.closing.signal;
    const onHead = (status: number): void => {
      entry.status = status;
      entry.answeredAt = Date.now();
    };
    try {
      let upload: Upload | undefined;
      let body: Buffer;
      if (method === 'POST' && binaryDeploymentPath.test(parsed.pathname)) {
        upload = await receiveUpload(req, path.join(this.workDir, 'uploads'));
        body = Buffer.alloc(0);
      } else {
        body = await readBody(req);
      }
      // Both spellings reach the same resource ([PY] §1.1: the pipeline calls without the slash).
      const pathname = parsed.pathname.length > 1 ? parsed.pathname.replace(/\/+$/, '') : parsed.pathname;
      const isControl = pathname.startsWith(controlPrefix + '/');
      const downloadKey = new RegExp(`^${apiBasePath}/downloads/([^/]+)$`, 'i').exec(pathname)?.[1];
      const fault = isControl ? undefined : this.faults.take(method, parsed.pathname, downloadKey !== undefined);
      if (fault) entry.faulted = fault.kind;
      const latency = (isControl ? 0 : this.latencyMs) + (fault?.kind === 'latency' ? fault.ms : 0);
      if (latency > 0 && !(await pause(latency, signal))) {
        res.destroy();
        return;
      }
      if (fault?.kind === 'reset-before-body') {
        res.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        await writeReply(res, statusFaultReply(fault), undefined, signal, onHead);
        return;
      }
      const reply = await this.route(
        method,
        pathname,
        parsed.searchParams,
        req.headers,
        body,
        entry.auth,
        downloadKey,
        fault,
        upload,
      );
      await writeReply(res, reply, fault, signal, onHead);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const message = e instanceof Error ? e.message : String(e);
      await writeReply(res, errorReply(500, `Emulator failure: ${message}`), undefined, signal, onHead);
    }
  }

  private route(
    method: string,
    pathname: string,
    query: URLSearchParams,
    headers: http.IncomingHttpHeaders,
    body: Buffer,
    auth: AuthKind,
    downloadKey: string | undefined,
    fault: FaultSpec | undefined,
    upload: Upload | undefined,
  ): Reply | Promise<Reply> {
    if (downloadKey !== undefined) {
      if (method !== 'GET') return errorReply(405, 'Method not allowed.');
      // A download key is a GUID; one that needs decoding is simply unknown.
      return download(this.context, downloadKey, fault);
    }
    const lower = pathname.toLowerCase();
    if (lower === apiBasePath || lower.startsWith(apiBasePath + '/')) {
      // Missing and invalid tokens are undocumented ([UNK] §1.1); 401 with an Exception body.
      if (auth === 'none' || auth === 'other') {
        return errorReply(401, 'Authentication required: send the service account token as "Authorization: Bearer".');
      }
      if (auth === 'bad-token') return errorReply(401, 'The service account token is invalid or was revoked.');
      let segments: string[];
      try {
        segments = pathname
          .slice(apiBasePath.length + 1)
          .split('/')
          .map(decodeURIComponent);
      } catch {
        return errorReply(400, 'Invalid request: malformed path.');
      }
      return lifeTimeApi(this.context, { method, segments, query, body, ...(upload ? { upload } : {}) });
    }
    if (lower === probePath.toLowerCase()) {
      if (method !== 'GET') return errorReply(405, 'Method not allowed.');
      return probe(this.state, this.spec.probeKey, headers, query);
    }
    if (pathname === `${controlPrefix}/state` && method === 'GET') return json(200, stateJson(this.state, this.url));
    if (pathname === `${controlPrefix}/published` && method === 'POST') {
      const published = parsePublished(body);
      if ('status' in published) return published;
      try {
        return json(200, { ApplicationKey: this.publish(published.hostName, published) });
      } catch (e) {
        return errorReply(404, e instanceof Error ? e.message : String(e));
      }
    }
    return errorReply(404, `No resource at ${pathname}.`);
  }
}

function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
