/**
 * The LifeTime API v2 calls for deployment plans, one method each, answers checked as untrusted:
 * create (from versions or from a binary, streamed), details, status, the three commands, delete,
 * the list and the deployment zones. Commands and deletion give LifeTime's refusal (400) back as
 * data, since "not allowed now" is an answer the callers act on; every other failure is a
 * LifeTimeError naming the plan and the host.
 */
import * as fs from 'node:fs';
import type { LifeTimeAnswer, LifeTimeCall, LifeTimeClient } from '../client';
import type { EnvironmentRef } from '../directory';
import { LifeTimeOutcomeUnknownError, LifeTimeResponseError } from '../errors';
import { isDeploymentKey, parseDeploymentKey } from './key';
import {
  DEPLOYMENT_STATUSES,
  type Deployment,
  type DeploymentCreate,
  type DeploymentDetails,
  type DeploymentMessage,
  type DeploymentStatusName,
  type DeploymentZone,
} from './types';

export type DeploymentCommand = 'start' | 'continue' | 'abort';

/** What LifeTime answered to a command or a deletion. */
export type CommandAnswer = { accepted: true } | { accepted: false; status: number; errors: string[] };

export interface PlanStatus {
  /** One of the documented statuses; anything else is kept as `unknown` with the text. */
  status: DeploymentStatusName | 'unknown';
  /** The status text as LifeTime sent it (for an unknown one). */
  statusText: string;
  info: string;
  log: DeploymentMessage[];
}

export interface ListFilter {
  /** `YYYY-MM-DD`; LifeTime's default is a week ago. */
  minDate?: string;
  maxDate?: string;
  targetEnvironmentKey?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function segment(key: string): string {
  return encodeURIComponent(key);
}

/** `YYYY-MM-DD` of a date, in UTC (what the list's date filters take). */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export class DeploymentPlans {
  constructor(private readonly lifeTime: LifeTimeClient) {}

  get host(): string {
    return this.lifeTime.host;
  }

  /**
   * `POST /environments/{key}/deployment/` with the package streamed from disk (LifeTime 11.22 or
   * later). Never repeated: a lost answer is LifeTimeOutcomeUnknownError, and so is an answer that
   * holds no key, since the plan may exist either way.
   */
  async createFromBinary(environment: EnvironmentRef, file: string, label: string): Promise<string> {
    const size = (await fs.promises.stat(file)).size;
    const call: LifeTimeCall = {
      method: 'POST',
      path: `environments/${segment(environment.Key)}/deployment/`,
      resource: `the binary deployment of ${label} to environment "${environment.Name}"`,
      upload: { stream: fs.createReadStream(file), contentType: 'application/octet-stream', length: size },
    };
    const answer = await this.lifeTime.exchange(call);
    const status = answer.response.status;
    if (status === 404 || status === 405) {
      const error = this.lifeTime.errorFor(answer, call);
      error.message += `; the binary deployment needs LifeTime 11.22 or later, and environment "${environment.Name}" must be registered in it`;
      throw error;
    }
    return this.createdKey(answer, call);
  }

  /** `POST /deployments/`: a plan of tagged versions between two environments. */
  async create(body: DeploymentCreate, label: string): Promise<string> {
    const call: LifeTimeCall = { method: 'POST', path: 'deployments/', resource: label, body };
    return this.createdKey(await this.lifeTime.exchange(call), call);
  }

  private createdKey(answer: LifeTimeAnswer, call: LifeTimeCall): string {
    const status = answer.response.status;
    if (status !== 200 && status !== 201) throw this.lifeTime.errorFor(answer, call);
    const key = parseDeploymentKey(answer.response.body);
    if (key === undefined) {
      throw new LifeTimeOutcomeUnknownError(
        `LifeTime ${this.host} accepted ${call.resource} (${status}) but its answer holds no deployment key (${answer.request}); a plan may exist`,
        { resource: call.resource, host: this.host, status, request: answer.request },
      );
    }
    return key;
  }

  async details(key: string): Promise<DeploymentDetails> {
    const call = this.planCall('GET', key, '', `deployment plan ${key}`);
    const answer = await this.lifeTime.exchange(call);
    if (answer.response.status !== 200) throw this.lifeTime.errorFor(answer, call);
    const body = this.lifeTime.jsonOf(answer, call);
    if (!isRecord(body)) throw this.shape(call, 'the plan is not an object');
    const details: DeploymentDetails = { ...body };
    details.ApplicationConflicts = Array.isArray(body.ApplicationConflicts)
      ? (body.ApplicationConflicts as unknown[]).filter(isRecord)
      : [];
    details.ApplicationsToDeploy = Array.isArray(body.ApplicationsToDeploy)
      ? (body.ApplicationsToDeploy as unknown[]).filter(isRecord)
      : [];
    if (!isRecord(body.Deployment)) delete details.Deployment;
    return details;
  }

  async status(key: string, signal?: AbortSignal): Promise<PlanStatus> {
    const call = {
      ...this.planCall('GET', key, 'status/', `the status of deployment plan ${key}`),
      ...(signal ? { signal } : {}),
    };
    const answer = await this.lifeTime.exchange(call);
    if (answer.response.status !== 200) throw this.lifeTime.errorFor(answer, call);
    const body = this.lifeTime.jsonOf(answer, call);
    if (!isRecord(body)) throw this.shape(call, 'the status is not an object');
    const statusText = text(body.DeploymentStatus);
    const known = (DEPLOYMENT_STATUSES as readonly string[]).includes(statusText);
    const log = Array.isArray(body.DeploymentLog) ? (body.DeploymentLog as unknown[]).filter(isRecord) : [];
    return {
      status: known ? (statusText as DeploymentStatusName) : 'unknown',
      statusText,
      info: text(body.Info),
      log: log.map((m) => ({ Instant: text(m.Instant), Message: text(m.Message), Type: text(m.Type) })),
    };
  }

  /**
   * `POST /deployments/{key}/{command}/`. A 400 is LifeTime saying the command is not allowed in
   * the plan's state, given back as data; `signal` lets an abort go out after a cancellation.
   */
  async command(
    key: string,
    command: DeploymentCommand,
    options: { redeployOutdated?: boolean; includeErrorDetails?: boolean; signal?: AbortSignal } = {},
  ): Promise<CommandAnswer> {
    const call: LifeTimeCall = {
      ...this.planCall('POST', key, `${command}/`, `the ${command} command for deployment plan ${key}`),
      query: {
        ...(options.redeployOutdated !== undefined ? { RedeployOutdated: options.redeployOutdated } : {}),
        ...(options.includeErrorDetails !== undefined ? { IncludeErrorDetails: options.includeErrorDetails } : {}),
      },
      ...(options.signal ? { signal: options.signal } : {}),
    };
    return this.accepted(await this.lifeTime.exchange(call), call, [200, 202, 204]);
  }

  /** `DELETE /deployments/{key}/`: allowed only for a saved plan (400 otherwise, given back as data). */
  async delete(key: string, signal?: AbortSignal): Promise<CommandAnswer> {
    const call = {
      ...this.planCall('DELETE', key, '', `the deletion of deployment plan ${key}`),
      ...(signal ? { signal } : {}),
    };
    return this.accepted(await this.lifeTime.exchange(call), call, [200, 204]);
  }

  private accepted(answer: LifeTimeAnswer, call: LifeTimeCall, ok: number[]): CommandAnswer {
    const status = answer.response.status;
    if (ok.includes(status)) return { accepted: true };
    if (status === 400) return { accepted: false, status, errors: this.lifeTime.errorsOf(answer) };
    throw this.lifeTime.errorFor(answer, call);
  }

  /** `GET /deployments/` (204 is an empty list). */
  async list(filter: ListFilter = {}): Promise<Deployment[]> {
    const call: LifeTimeCall = {
      method: 'GET',
      path: 'deployments/',
      query: {
        MinDate: filter.minDate,
        MaxDate: filter.maxDate,
        TargetEnvironmentKey: filter.targetEnvironmentKey,
      },
      resource: 'the list of deployment plans',
    };
    const answer = await this.lifeTime.exchange(call);
    if (answer.response.status === 204) return [];
    if (answer.response.status !== 200) throw this.lifeTime.errorFor(answer, call);
    const body = this.lifeTime.jsonOf(answer, call);
    if (body === undefined) return [];
    if (!Array.isArray(body)) throw this.shape(call, 'expected a list');
    return (body as unknown[])
      .filter(isRecord)
      .filter((d) => typeof d.Key === 'string' && isDeploymentKey(d.Key))
      .map((d) => ({ ...d, Key: (d.Key as string).toLowerCase() }));
  }

  /** `GET /environments/{key}/deploymentzones/`. */
  async zones(environment: EnvironmentRef): Promise<DeploymentZone[]> {
    const call: LifeTimeCall = {
      method: 'GET',
      path: `environments/${segment(environment.Key)}/deploymentzones/`,
      resource: `the deployment zones of environment "${environment.Name}"`,
    };
    const answer = await this.lifeTime.exchange(call);
    if (answer.response.status === 204) return [];
    if (answer.response.status !== 200) throw this.lifeTime.errorFor(answer, call);
    const body = this.lifeTime.jsonOf(answer, call);
    if (body !== undefined && !Array.isArray(body)) throw this.shape(call, 'expected a list');
    return ((body ?? []) as unknown[]).filter(isRecord);
  }

  /** The target's default zone key; '' (LifeTime's "default zone") when it marks none. */
  async defaultZoneKey(environment: EnvironmentRef): Promise<string> {
    const zones = await this.zones(environment);
    const zone = zones.find((z) => z.IsDefault === true) ?? (zones.length === 1 ? zones[0] : undefined);
    return typeof zone?.Key === 'string' ? zone.Key : '';
  }

  private planCall(method: 'GET' | 'POST' | 'DELETE', key: string, leaf: string, resource: string): LifeTimeCall {
    if (!isDeploymentKey(key)) throw new Error(`"${key}" is not a deployment plan key`);
    return { method, path: `deployments/${segment(key)}/${leaf}`, resource };
  }

  private shape(call: LifeTimeCall, problem: string): LifeTimeResponseError {
    return new LifeTimeResponseError(`unexpected answer from LifeTime ${this.host} for ${call.resource}: ${problem}`, {
      resource: call.resource,
      host: this.host,
    });
  }
}
