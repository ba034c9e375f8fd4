/**
 * The deployment part of the emulated LifeTime API v2: plans between environments, plans from a
 * binary, their list, details, commands, status and deletion, and the deployment zones a plan
 * names. Shapes follow the vendor's Swagger file (Deployment_v2, DeploymentResponse,
 * ApplicationConflictListTextListDeployment_v2Record, DeploymentMessageListTextTextRecord).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { readOapManifest } from '../../shared/oap/oapReader';
import { uidToGuid } from '../../shared/oap/uid';
import type { DeploymentKeyAnswer } from './deploymentSpec';
import type { DeploymentStore, PlanOperation, PlanState } from './deploymentState';
import { queryValue } from './query';
import { empty, json, type Reply } from './replies';
import { exceptionBody } from './representations';
import type { EmulatorState, EnvironmentState } from './state';
import type { Upload } from './uploads';

export interface DeploymentContext {
  state: EmulatorState;
  deployments: DeploymentStore;
  url: string;
  keyAnswer: { binary: DeploymentKeyAnswer; versions: DeploymentKeyAnswer };
}

function error(status: number, message: string): Reply {
  return json(status, exceptionBody(status, message));
}

/** Not set in LifeTime's answers: "1900-01-01T00:00:00" (reference §1.1), with the zone the Swagger format needs. */
const UNSET_DATE = '1900-01-01T00:00:00Z';

/** One default zone per environment, with a key that stays the same across runs. */
export function defaultZoneKey(env: EnvironmentState): string {
  const hex = createHash('sha1').update(`zone/${env.key}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function deploymentZones(ctx: DeploymentContext, envKey: string): Reply {
  const env = ctx.state.environmentByKey(envKey);
  if (!env) return error(404, `Failed to retrieve the deployment zones of environment with key: ${envKey}.`);
  return json(200, [
    {
      Key: defaultZoneKey(env),
      Name: 'Global',
      IsDefault: true,
      DeploymentTechnology: { Key: '8d7a4bd2-1f4c-4a8e-9b3e-5a2f0c6d7e91', Name: 'Classic' },
    },
  ]);
}

function keyReply(key: string, form: DeploymentKeyAnswer, status: number): Reply {
  switch (form) {
    case 'text':
      return { status, body: { kind: 'raw', text: key, contentType: 'text/plain; charset=utf-8' } };
    case 'json-string':
      return json(status, key);
    case 'object':
      return json(status, { DeploymentKey: key });
  }
}

function deploymentJson(ctx: DeploymentContext, plan: PlanState): Record<string, unknown> {
  const by = (name: string | undefined) => ({
    name: name ?? '',
    user: name === undefined ? '' : name.toLowerCase().replace(/\s+/g, '.'),
  });
  const created = by(plan.createdBy);
  const started = by(plan.startedBy);
  const aborted = by(plan.abortedBy);
  return {
    Key: plan.key,
    SourceEnvironmentKey: plan.source?.key ?? '',
    TargetEnvironmentKey: plan.target.key,
    DetailsURL: `${ctx.url}/lifetime/DeploymentPlan_Edit.aspx?DeploymentPlanKey=${plan.key}`,
    Notes: plan.notes,
    CreatedOn: plan.createdOn,
    CreatedBy: created.name,
    CreatedByUsername: created.user,
    SavedOn: plan.savedOn,
    SavedBy: created.name,
    SavedByUsername: created.user,
    StartedOn: plan.startedOn ?? UNSET_DATE,
    StartedBy: started.name,
    StartedByUsername: started.user,
    AbortedOn: plan.abortedOn ?? UNSET_DATE,
    AbortedBy: aborted.name,
    AbortedByUsername: aborted.user,
    ApplicationOperations: plan.operations.map((op) => ({
      ApplicationKey: op.application.key,
      ApplicationVersionKey: op.versionKey ?? '',
      DeploymentOperation: op.versionKey === undefined ? 'Deploy binary' : `Deploy ${op.versionLabel}`,
      DeploymentZoneKey: op.deploymentZoneKey,
    })),
  };
}

function detailsJson(ctx: DeploymentContext, plan: PlanState): unknown {
  return {
    Deployment: deploymentJson(ctx, plan),
    ApplicationsToDeploy: plan.operations.map((op) => ({
      ApplicationKey: op.application.key,
      ApplicationName: op.application.name,
      IsNew: op.isNew,
      ModulesInBinary: [],
    })),
    ApplicationsToRedeploy: [],
    ApplicationConflicts: plan.conflicts.map((message) => ({
      Message: message,
      ConsumerApplicationOperation: {
        ApplicationKey: plan.operations[0]?.application.key ?? '',
        ApplicationVersionKey: plan.operations[0]?.versionKey ?? '',
        DeploymentOperation: 'Deploy',
      },
    })),
    ModulesToDelete: [],
  };
}

function statusJson(plan: PlanState): unknown {
  return { DeploymentStatus: plan.status, Info: plan.info, DeploymentLog: plan.log };
}

/** `YYYY-MM-DD` (the Swagger format) or a date-time; undefined when it is neither. */
function day(value: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.exec(value.trim());
  if (!match?.[1] || Number.isNaN(Date.parse(match[1]))) return undefined;
  return match[1];
}

function list(ctx: DeploymentContext, query: URLSearchParams): Reply {
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
  const rawMin = queryValue(query, 'MinDate');
  const rawMax = queryValue(query, 'MaxDate');
  const min = rawMin === undefined || rawMin === '' ? weekAgo : day(rawMin);
  const max = rawMax === undefined || rawMax === '' ? today : day(rawMax);
  const target = queryValue(query, 'TargetEnvironmentKey') ?? '';
  if (min === undefined || max === undefined || min > max) {
    return error(
      400,
      `Invalid request for list of deployments created between ${rawMin ?? min} and ${rawMax ?? max} for environment key ${target}.`,
    );
  }
  const env = target === '' ? undefined : ctx.state.environmentByKey(target);
  const plans = ctx.deployments
    .live()
    .filter((p) => p.createdOn.slice(0, 10) >= min && p.createdOn.slice(0, 10) <= max)
    // An environment the account cannot see (or that does not exist) gives an empty list (Swagger).
    .filter((p) => target === '' || p.target === env);
  return plans.length === 0
    ? empty(204)
    : json(
        200,
        plans.map((p) => deploymentJson(ctx, p)),
      );
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `POST /deployments/`: the body's four fields are required by the Swagger file. */
function createFromVersions(ctx: DeploymentContext, body: Buffer): Reply {
  const record = parseJson(body);
  if (!record) return error(400, 'Invalid request: the body is not a deployment record.');
  const { Notes, SourceEnvironmentKey, TargetEnvironmentKey, ApplicationOperations } = record;
  if (
    typeof Notes !== 'string' ||
    typeof SourceEnvironmentKey !== 'string' ||
    typeof TargetEnvironmentKey !== 'string' ||
    !Array.isArray(ApplicationOperations)
  ) {
    return error(
      400,
      'Invalid request: Notes, SourceEnvironmentKey, TargetEnvironmentKey and ApplicationOperations are required.',
    );
  }
  const source = ctx.state.environmentByKey(SourceEnvironmentKey);
  const target = ctx.state.environmentByKey(TargetEnvironmentKey);
  if (!source || !target) return error(404, 'Source or target environment not found.');
  if (source === target) return error(400, 'Invalid request: the source and target environments are the same.');
  const operations: PlanOperation[] = [];
  for (const item of ApplicationOperations as unknown[]) {
    const op = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    const versionKey = op.ApplicationVersionKey;
    const zone = op.DeploymentZoneKey;
    if (typeof versionKey !== 'string' || typeof zone !== 'string') {
      return error(
        400,
        'Invalid request: each application operation needs ApplicationVersionKey and DeploymentZoneKey.',
      );
    }
    // "" is the default zone (reference §1.2); any other key must be one of the target's zones.
    if (zone !== '' && zone.toLowerCase() !== defaultZoneKey(target)) {
      return error(400, `Invalid request: deployment zone ${zone} is not a zone of environment ${target.name}.`);
    }
    const app = ctx.state.applications.find((a) => a.versions.some((v) => v.key === versionKey.toLowerCase()));
    const version = app?.versions.find((v) => v.key === versionKey.toLowerCase());
    if (!app || !version) return error(400, `Invalid request: application version ${versionKey} does not exist.`);
    operations.push({
      application: { key: app.key, uid: app.uid, name: app.name },
      versionKey: version.key,
      versionLabel: version.version,
      deploymentZoneKey: zone === '' ? '' : defaultZoneKey(target),
      isNew: !app.running.has(target.key),
    });
  }
  if (operations.length === 0) return error(400, 'Invalid request: the deployment has no application operations.');
  const plan = ctx.deployments.create({ source, target, notes: Notes, origin: 'versions', operations });
  // 200 per the Swagger file (201 per S3 and the pipeline): the key as text.
  return keyReply(plan.key, ctx.keyAnswer.versions, 200);
}

/** `POST /environments/{key}/deployment/`: the application is read from the uploaded package itself. */
export async function createFromBinary(
  ctx: DeploymentContext,
  envKey: string,
  upload: Upload | undefined,
): Promise<Reply> {
  const target = ctx.state.environmentByKey(envKey);
  if (!target) {
    if (upload) await fs.promises.rm(upload.path, { force: true });
    return error(404, 'Target environment not found.');
  }
  if (!upload || upload.size === 0) return error(400, 'Invalid request: the body holds no binary.');
  let manifest;
  try {
    manifest = await readOapManifest(upload.path);
  } catch {
    await fs.promises.rm(upload.path, { force: true });
    return error(400, 'Invalid request: the binary is not an OutSystems application package.');
  }
  const { uid, name } = manifest.application;
  const known = ctx.state.applications.find((a) => a.uid === uid) ?? ctx.state.applicationByName(name);
  const key = known?.key ?? uidToGuid(uid);
  if (key === undefined) return error(400, `Invalid request: the package's application UID ${uid} is not valid.`);
  const plan = ctx.deployments.create({
    target,
    notes: '',
    origin: 'binary',
    operations: [
      {
        application: { key, uid, name: known?.name ?? name },
        versionLabel: `(binary, sha256 ${upload.sha256.slice(0, 12)})`,
        deploymentZoneKey: '',
        binaryPath: upload.path,
        binarySha256: upload.sha256,
        isNew: known === undefined || !known.running.has(target.key),
      },
    ],
  });
  return keyReply(plan.key, ctx.keyAnswer.binary, 201);
}

export interface DeploymentRequest {
  method: string;
  /** Below `/deployments`. */
  segments: string[];
  query: URLSearchParams;
  body: Buffer;
}

/** undefined: not a resource the emulator serves (the caller decides between 404, 405 and 501). */
export function deploymentsApi(ctx: DeploymentContext, req: DeploymentRequest): Reply | undefined {
  const [key, command, ...rest] = req.segments;
  if (rest.length > 0) return undefined;
  if (key === undefined) {
    if (req.method === 'GET') return list(ctx, req.query);
    if (req.method === 'POST') return createFromVersions(ctx, req.body);
    return undefined;
  }
  const plan = ctx.deployments.find(key);
  const notFound = error(404, `Deployment with key ${key} not found.`);
  if (command === undefined) {
    if (req.method === 'GET') return plan ? json(200, detailsJson(ctx, plan)) : notFound;
    if (req.method === 'DELETE') {
      if (!plan) return notFound;
      const result = ctx.deployments.delete(plan);
      return result.ok ? empty(204) : error(result.status, result.message);
    }
    return undefined;
  }
  if (command === 'status') {
    if (req.method !== 'GET') return undefined;
    return plan ? json(200, statusJson(plan)) : notFound;
  }
  if (req.method !== 'POST') return undefined;
  if (!plan) return notFound;
  const result = ctx.deployments.command(plan, command);
  return result.ok ? empty(202) : error(result.status, result.message);
}
