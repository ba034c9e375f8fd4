/**
 * The promote operation: verify the bundle, check that the source (PRE) runs exactly the bundle's
 * tagged versions, leave out what the target already runs, then deploy the rest through one
 * LifeTime deployment plan. Everything before the plan only reads LifeTime. Outcomes, failures
 * included, come back as data; report.ts puts them in words and gives the task's verdict.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { verifyBundle } from '../bundle/verify';
import type { LifeTimeClient } from '../lifetime/client';
import type { EnvironmentRef } from '../lifetime/directory';
import type { Reporter } from '../util/reporter';
import { DeploymentPlans } from '../lifetime/deployments/api';
import type { PromoteParameters } from './parameters';
import { promoteThroughPlan, type PlanFailure } from './plan';
import { describeCandidate } from './report';
import { selectVersions } from './selection';
import type { Candidate, Refusal } from './selection';

export type RowResult = 'promoted' | 'already there' | 'prepared' | 'not promoted';

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

export type PromoteFailure = { kind: 'refused' } | PlanFailure;

export interface PromoteResult {
  source: string;
  target: string;
  lifeTimeHost: string;
  rows: PromoteRow[];
  /** Applications that cannot be promoted (then no plan exists). */
  refusals: Refusal[];
  plan?: PlanOutcome;
  /** LifeTime's deployment log messages of type Warning and Error, as printed. */
  lifeTimeWarnings: string[];
  lifeTimeErrors: string[];
  promotedCount: number;
  failure?: PromoteFailure;
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
  const deadline = Date.now() + params.timeoutMinutes * 60_000;
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
  const directory = await lifeTime.applicationDirectory({ includeEnvStatus: true });
  const selection = await selectVersions(
    bundle.packages.map((p) => p.application),
    { lifeTime, source, target, directory },
  );
  const result: PromoteResult = {
    source: source.Name,
    target: target.Name,
    lifeTimeHost: lifeTime.host,
    rows: selection.candidates.map((candidate) => ({
      candidate,
      result: candidate.alreadyThere ? 'already there' : 'not promoted',
    })),
    refusals: selection.refusals,
    lifeTimeWarnings: [],
    lifeTimeErrors: [],
    promotedCount: 0,
  };
  if (selection.refusals.length > 0) return { ...result, failure: { kind: 'refused' } };
  for (const c of selection.candidates) reporter.info(describeCandidate(c, result));

  const toPromote = result.rows.filter((r) => !r.candidate.alreadyThere);
  if (toPromote.length === 0) {
    reporter.info(`${target.Name} already runs every version of the bundle; no deployment plan is needed`);
    return result;
  }
  const run = await promoteThroughPlan({
    plans: new DeploymentPlans(lifeTime),
    source,
    target,
    candidates: toPromote.map((r) => r.candidate),
    bundle: { name: path.basename(bundle.path), manifestSha256, createdAt: bundle.manifest.createdAt },
    ...(params.notes !== undefined ? { notes: params.notes } : {}),
    ...(env.pipelineRun !== undefined ? { pipelineRun: env.pipelineRun } : {}),
    twoStepMode: params.twoStepMode,
    redeployOutdated: params.redeployOutdated,
    deadline,
    limitText: `${params.timeoutMinutes} minute(s)`,
    signal: env.signal,
    reporter,
  });
  if ('failure' in run) return { ...result, failure: run.failure };
  const { drive } = run;
  result.plan = { key: run.key, status: drive.status?.statusText ?? 'unknown', created: run.created };
  result.lifeTimeWarnings = run.lifeTimeWarnings;
  result.lifeTimeErrors = run.lifeTimeErrors;
  switch (drive.outcome) {
    case 'succeeded':
      for (const r of toPromote) r.result = 'promoted';
      result.promotedCount = toPromote.length;
      for (const w of drive.warnings)
        reporter.warn(`LifeTime finished deployment plan ${run.key} with a warning: ${w}`);
      return result;
    case 'prepared':
      for (const r of toPromote) r.result = 'prepared';
      reporter.warn(
        `LifeTime prepared the two-step deployment plan ${run.key} to ${target.Name} and twoStepMode is 'stop': the plan waits there; run this task again for the same bundle (twoStepMode 'continue') or continue it in LifeTime`,
      );
      return result;
    case 'failed':
      return {
        ...result,
        failure: {
          kind: 'plan',
          reason: drive.reason,
          stillRunning: drive.stillRunning,
          ...(drive.conflicts !== undefined ? { conflicts: drive.conflicts } : {}),
        },
      };
  }
}
