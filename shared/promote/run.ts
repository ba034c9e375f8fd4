/**
 * The promote operation: verify the bundle, check that the source (PRE) runs exactly the bundle's
 * tagged versions, leave out what the target already runs, then deploy the rest through one
 * LifeTime deployment plan (plan.ts). Everything before the plan only reads LifeTime.
 */
import * as crypto from 'node:crypto';
import { verifyBundle } from '../bundle/verify';
import type { LifeTimeClient } from '../lifetime/client';
import type { Reporter } from '../reporter';
import type { PromoteParameters } from './parameters';
import { ApplicationMatcher, selectVersions } from './selection';
import type { Candidate, EnvironmentRef } from './selection';

export type RowResult = 'promoted' | 'already there' | 'prepared' | 'not promoted' | 'failed';

export interface PromoteRow {
  candidate: Candidate;
  result: RowResult;
}

export interface PlanOutcome {
  key: string;
  /** LifeTime's last DeploymentStatus for the plan. */
  status: string;
  /** This run created the plan (false: a rerun found it). */
  created: boolean;
}

export interface PromoteResult {
  source: string;
  target: string;
  rows: PromoteRow[];
  plan?: PlanOutcome;
  /** LifeTime's deployment log messages of type Warning and Error, as printed. */
  lifeTimeWarnings: string[];
  lifeTimeErrors: string[];
  promotedCount: number;
}

export class PromoteFailedError extends Error {
  override name = 'PromoteFailedError';
  constructor(
    message: string,
    readonly result: PromoteResult,
  ) {
    super(message);
  }
}

export interface PromoteEnvironment {
  lifeTime: LifeTimeClient;
  reporter: Reporter;
  signal: AbortSignal;
  /** Which pipeline run promotes, for the plan's default notes. */
  pipelineRun?: string;
}

export async function runPromote(params: PromoteParameters, env: PromoteEnvironment): Promise<PromoteResult> {
  const { lifeTime, reporter } = env;
  const bundle = await verifyBundle(params.bundlePath, {
    ...(params.verificationKey !== undefined ? { verificationKey: params.verificationKey } : {}),
    onWarning: (m) => reporter.warn(m),
  });
  const manifestSha256 = crypto.createHash('sha256').update(bundle.manifestBytes).digest('hex');
  reporter.info(`Bundle verified: ${bundle.packages.length} application(s), manifest sha256 ${manifestSha256}`);

  const source: EnvironmentRef = await lifeTime.getEnvironment(params.sourceEnvironment);
  const target: EnvironmentRef = await lifeTime.getEnvironment(params.targetEnvironment);
  if (source.Key.toLowerCase() === target.Key.toLowerCase()) {
    throw new Error(
      `sourceEnvironment "${params.sourceEnvironment}" and targetEnvironment "${params.targetEnvironment}" are the same LifeTime environment (key ${target.Key})`,
    );
  }
  const matcher = new ApplicationMatcher(await lifeTime.listApplications({ includeEnvStatus: true }));
  const candidates = await selectVersions(
    bundle.packages.map((p) => p.application),
    { lifeTime, source, target, matcher },
  );
  for (const c of candidates) reporter.info(describeCandidate(c, source, target));

  const rows: PromoteRow[] = candidates.map((candidate) => ({
    candidate,
    result: candidate.alreadyThere ? 'already there' : 'not promoted',
  }));
  const result: PromoteResult = {
    source: source.Name,
    target: target.Name,
    rows,
    lifeTimeWarnings: [],
    lifeTimeErrors: [],
    promotedCount: 0,
  };
  const toPromote = rows.filter((r) => !r.candidate.alreadyThere);
  if (toPromote.length === 0) {
    reporter.info(`${target.Name} already runs every version of the bundle; no deployment plan is needed`);
    return result;
  }
  throw new PromoteFailedError('deployment plans are not built yet', result);
}

function describeCandidate(c: Candidate, source: EnvironmentRef, target: EnvironmentRef): string {
  const app = `"${c.application.name}" ${c.application.version}`;
  const matched = c.matchedBy === 'key' ? '' : `, matched by ${c.matchedBy} (LifeTime key ${c.lifeTime.Key})`;
  const from =
    c.fromVersion === undefined
      ? `not in ${target.Name} yet`
      : `${target.Name} runs ${c.fromVersion === '' ? 'an untagged version' : c.fromVersion}${c.fromModified ? ' with changes made after that tag' : ''}`;
  const what = c.alreadyThere ? `${target.Name} already runs it; left out` : `${from}; to promote`;
  return `${app}: ${source.Name} runs it unmodified (version key ${c.versionKey}${matched}); ${what}`;
}
