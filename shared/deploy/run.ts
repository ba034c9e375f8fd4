/**
 * The deploy operation: wait for a bundle still arriving (when told), verify the whole bundle
 * before anything runs, plan producers first, run the pre-flight in the production LifeTime (when
 * connected), then publish one package at a time, with OSPTool or through LifeTime, recording each
 * success so a rerun resumes after it. The first failure stops the run before the next package.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitForBundle } from '../bundle/arrival';
import { checkPackageHash, verifyBundle } from '../bundle/verify';
import type { VerifiedBundle } from '../bundle/verify';
import type { LifeTimeClient } from '../lifetime/client';
import { DeploymentPlans } from '../lifetime/deployments/api';
import { describeOspToolCommand } from '../osptool/command';
import { runOspTool } from '../osptool/runner';
import type { Reporter } from '../util/reporter';
import { onRunningToolsChanged } from '../osptool/registry';
import { onForcedExit } from '../task/forcedExit';
import { DeployJournal, journalKey, locateJournal } from './journal';
import { publishThroughLifeTime } from './lifetimePublish';
import { DeployLock } from './lock';
import type { DeployParameters, OspToolTarget } from './parameters';
import { planDeployment } from './plan';
import type { PlannedPackage } from './plan';
import { describeRunning, laterVersionThan, runPreflight, type PreflightResult } from './preflight';

export type PackageOutcome = 'published' | 'already published' | 'failed' | 'not started' | 'planned';

export interface DeployedPackage extends PlannedPackage {
  outcome: PackageOutcome;
  durationMs?: number;
  /** When outcome is 'already published': when the journal recorded it. */
  publishedAt?: string;
  /** When outcome is 'failed': OSPTool's or LifeTime's failure. */
  failureReason?: string;
  /** With the pre-flight: what the target ran before this run. */
  targetBefore?: string;
  /** Why a package the journal records was published again (a later version in LifeTime). */
  republishedWhy?: string;
  /** The LifeTime deployment plan that published it (publishMethod `lifetime`). */
  planKey?: string;
}

/** Why a deployment that got as far as publishing stopped; report.ts puts it in words. */
export type DeployFailure = { kind: 'package failed'; position: number } | { kind: 'cancelled' };

export interface DeployResult {
  bundle: VerifiedBundle;
  packages: DeployedPackage[];
  publishedCount: number;
  dryRun: boolean;
  targetHostname: string;
  method: 'osptool' | 'lifetime';
  /** LifeTime name of the target, when the pre-flight ran. */
  targetEnvironment?: string;
  /** Without a LifeTime connection, skipped packages were judged by the deploy journal alone. */
  journalOnly: boolean;
  failure?: DeployFailure;
  journalFile?: string;
}

export interface DeployEnvironment {
  reporter: Reporter;
  signal: AbortSignal;
  agentTempDirectory: string;
  run?: string;
  /** Where OSPTool's output and LifeTime's deployment log go, line by line (the task log). */
  writeToolLine: (line: string) => void;
  /** The production LifeTime, when `params.lifeTime` is set. */
  lifeTime?: LifeTimeClient;
}

const JOURNAL_ONLY_NOTE =
  'judged by the deploy journal alone: without lifeTimeConnection nothing checks that the target still runs them';

function checkFile(file: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new Error(`${what} ${file} does not exist on this agent`);
  }
  if (!stat.isFile()) throw new Error(`${what} ${file} is not a file`);
}

/**
 * Throws only before anything was published (bad inputs, a bundle that does not verify, a lock
 * held elsewhere, a journal that cannot be written); a package that fails or a cancellation
 * between packages comes back as `failure`, with the outcomes so far.
 */
export async function runDeploy(params: DeployParameters, env: DeployEnvironment): Promise<DeployResult> {
  const { reporter, signal } = env;
  const osp: OspToolTarget | undefined = params.publish.method === 'osptool' ? params.publish : undefined;
  if (osp !== undefined && !params.dryRun) checkFile(osp.osptoolPath, 'OSPTool');
  if (osp?.catalogMappings !== undefined) checkFile(osp.catalogMappings, 'catalog mappings file');
  if (params.lifeTime !== undefined && env.lifeTime === undefined) throw new Error('no LifeTime client was given');

  if (params.waitForBundleMinutes > 0) {
    await waitForBundle(params.bundlePath, {
      waitMinutes: params.waitForBundleMinutes,
      ...(params.verificationKey !== undefined ? { verificationKey: params.verificationKey } : {}),
      signal,
      onProgress: (missing) =>
        reporter.info(
          `Waiting for the bundle to arrive: still missing ${missing.length} file(s): ${missing.join(', ')}`,
        ),
    });
  }
  reporter.info(`Verifying bundle ${params.bundlePath}`);
  const bundle = await verifyBundle(params.bundlePath, {
    ...(params.verificationKey !== undefined ? { verificationKey: params.verificationKey } : {}),
    onWarning: (m) => reporter.warn(m),
    onProgress: (done, total) =>
      reporter.progress(total > 0 ? Math.floor((done / total) * 100) : 100, 'Verifying the bundle'),
  });
  reporter.info(
    `Bundle verified: ${bundle.packages.length} package(s), sizes and sha256 match the manifest` +
      (bundle.signature === 'verified' ? ', signature verified' : ''),
  );

  const plan = planDeployment(bundle);
  let preflight: PreflightResult | undefined;
  if (params.lifeTime !== undefined && env.lifeTime !== undefined) {
    reporter.info(`Pre-flight in LifeTime ${env.lifeTime.host} for environment "${params.lifeTime.environment}"`);
    preflight = await runPreflight(env.lifeTime, bundle, plan, {
      environment: params.lifeTime.environment,
      ...(osp !== undefined ? { ospToolHostname: osp.targetHostname } : {}),
      allowDowngrade: params.allowDowngrade,
    });
    for (const d of preflight.downgrades) reporter.warn(`rollback: ${d}`);
    reporter.info('Pre-flight passed: the target exists, every required application runs there, no downgrade');
  }
  // Through LifeTime, the journal is named after the host LifeTime registers (its name if none).
  const registered = preflight?.environment.HostName || preflight?.environment.Name;
  const host = osp?.targetHostname ?? registered ?? '';
  const where = preflight === undefined ? host : `"${preflight.environment.Name}" (${host})`;
  reporter.info(`Plan for ${where} (producers first)${preflight ? ', with what the target runs now' : ''}:`);
  for (const p of plan) {
    const now = preflight ? `  (target: ${describeRunning(preflight.targets.get(p.application.key))})` : '';
    reporter.info(`  ${p.position}. ${p.application.name} ${p.application.version}  ${p.application.file}${now}`);
  }

  const location = await locateJournal(params.bundlePath, host, env.agentTempDirectory);
  const credentials =
    osp !== undefined
      ? journalKey(host, osp.user, osp.password)
      : journalKey(host, `lifetime ${preflight?.environment.Key ?? ''}`, params.lifeTime?.token ?? '');
  const journal = await DeployJournal.open(location, host, params.bundlePath, credentials);
  if (journal.ignoredProblem !== undefined) reporter.warn(journal.ignoredProblem);
  const packages: DeployedPackage[] = plan.map((p) => {
    const state = preflight?.targets.get(p.application.key);
    return {
      ...p,
      outcome: params.dryRun ? 'planned' : 'not started',
      ...(preflight !== undefined ? { targetBefore: describeRunning(state) } : {}),
    };
  });
  const result: DeployResult = {
    bundle,
    packages,
    publishedCount: 0,
    dryRun: params.dryRun,
    targetHostname: host,
    method: params.publish.method,
    ...(preflight !== undefined ? { targetEnvironment: preflight.environment.Name } : {}),
    journalOnly: preflight === undefined,
    journalFile: journal.file,
  };

  /** The journal's earlier publication, when the package is to be skipped (the contract's rule). */
  const skipBecause = (p: DeployedPackage): string | undefined => {
    const done = journal.published(p.application.key, p.application.sha256);
    if (done === undefined) return undefined;
    const later = laterVersionThan(preflight?.targets.get(p.application.key), p.application.version);
    if (later !== undefined) {
      p.republishedWhy = `the deploy journal records it as published on ${done.publishedAt}, but LifeTime now holds the later version ${later}: published again (a rollback is never a silent no-op)`;
      return undefined;
    }
    return done.publishedAt;
  };

  if (params.dryRun) {
    for (const p of packages) {
      const at = skipBecause(p);
      if (at !== undefined) p.outcome = 'already published';
      if (p.republishedWhy !== undefined) reporter.info(`${p.position}. ${p.application.name}: ${p.republishedWhy}`);
    }
    if (result.journalOnly && packages.some((p) => p.outcome === 'already published')) {
      reporter.info(`Packages already published were ${JOURNAL_ONLY_NOTE}`);
    }
    reporter.info('Dry run: nothing was published.');
    return result;
  }
  if (location.fallback) {
    reporter.warn(
      `the share beside ${params.bundlePath} is not writable; the deploy journal and lock are kept in ${location.dir} on this agent for this job, so a rerun in another job cannot skip what this one published, and a concurrent deployment from another agent is not detected`,
    );
  }

  const lock = await DeployLock.acquire(location, {
    ...(env.run !== undefined ? { run: env.run } : {}),
    onTakeOver: (why) => reporter.warn(why),
  });
  // The lock names each OSPTool as it starts, so a task killed outright leaves a lock naming the
  // orphan and no rerun takes over while it publishes; a forced exit releases it after the tool ended.
  const stopRecordingTools = onRunningToolsChanged((tools) => lock.recordTools(tools));
  const stopForcedRelease = onForcedExit(() =>
    lock.releaseSync()
      ? `the deployment lock ${lock.file} was released`
      : `the deployment lock ${lock.file} was not released (no longer ours or unreachable)`,
  );
  // OSPTool and LifeTime are given a private local copy made while hashing, never the file on the share.
  const localCopies = path.join(env.agentTempDirectory, `airgap-publish-${crypto.randomBytes(6).toString('hex')}`);
  await fs.promises.mkdir(localCopies, { recursive: true });
  const plans = env.lifeTime !== undefined ? new DeploymentPlans(env.lifeTime) : undefined;
  try {
    for (const p of packages) {
      const publishedAt = skipBecause(p);
      if (publishedAt !== undefined) {
        p.outcome = 'already published';
        p.publishedAt = publishedAt;
        reporter.info(
          `${p.position}. ${p.application.name} ${p.application.version}: already published to ${host} on ${publishedAt} with the same bytes; skipped` +
            (result.journalOnly ? ` (${JOURNAL_ONLY_NOTE})` : ', and LifeTime shows no later version'),
        );
        continue;
      }
      if (p.republishedWhy !== undefined)
        reporter.warn(`"${p.application.name}" ${p.application.version}: ${p.republishedWhy}`);
      if (signal.aborted) break;
      reporter.progress(
        Math.floor(((p.position - 1) / packages.length) * 100),
        `Publishing ${p.application.name} (${p.position}/${packages.length})`,
      );
      const started = Date.now();
      const copy = path.join(localCopies, p.application.file);
      const outcome = await reporter.group(`Publish ${p.application.name} ${p.application.version}`, async () => {
        try {
          if (osp !== undefined) return await publishWithOspTool(osp, p, copy);
          if (plans === undefined || preflight === undefined) throw new Error('no LifeTime to publish through');
          const lifeTimeKey = preflight.targets.get(p.application.key)?.application?.Key;
          return await publishThroughLifeTime({
            plans,
            journal,
            environment: preflight.environment,
            application: p.application,
            ...(lifeTimeKey !== undefined ? { lifeTimeKey } : {}),
            privateCopy: async () => {
              await checkPackageHash(p.filePath, p.application, undefined, copy);
              return copy;
            },
            deadline: started + params.timeoutMinutes * 60_000,
            limitText: `${params.timeoutMinutes} minute(s)`,
            signal,
            onLog: (m) => env.writeToolLine(`${m.Instant ?? ''} ${m.Type ?? ''}: ${m.Message ?? ''}`.trim()),
            info: (m) => reporter.info(m),
            warn: (m) => reporter.warn(m),
          });
        } finally {
          await fs.promises.rm(copy, { force: true });
        }
      });
      p.durationMs = Date.now() - started;
      if (outcome.planKey !== undefined) p.planKey = outcome.planKey;
      if (!outcome.published) {
        p.outcome = 'failed';
        p.failureReason = outcome.reason;
        result.failure = { kind: 'package failed', position: p.position };
        return result;
      }
      for (const w of outcome.warnings) reporter.warn(`LifeTime, deploying "${p.application.name}": ${w}`);
      p.outcome = 'published';
      result.publishedCount++;
      await journal.record({
        key: p.application.key,
        name: p.application.name,
        version: p.application.version,
        sha256: p.application.sha256,
        file: p.application.file,
        publishedAt: new Date().toISOString(),
      });
    }
    if (signal.aborted) {
      result.failure = { kind: 'cancelled' };
      return result;
    }
    reporter.progress(100, 'Published');
    return result;
  } finally {
    stopRecordingTools();
    stopForcedRelease();
    await fs.promises.rm(localCopies, { recursive: true, force: true });
    const lockProblem = await lock.release();
    if (lockProblem !== undefined) reporter.warn(lockProblem);
  }

  async function publishWithOspTool(
    target: OspToolTarget,
    p: DeployedPackage,
    copy: string,
  ): Promise<
    | { published: true; warnings: string[]; planKey?: undefined }
    | { published: false; reason: string; planKey?: undefined }
  > {
    await checkPackageHash(p.filePath, p.application, undefined, copy);
    const options = {
      toolPath: target.osptoolPath,
      packagePath: copy,
      hostname: target.targetHostname,
      user: target.user,
      password: target.password,
      timeoutMs: params.timeoutMinutes * 60_000,
      timeoutDescription: `${params.timeoutMinutes} minute(s)`,
      signal,
      onLine: (line: string) => env.writeToolLine(line),
      ...(target.catalogMappings !== undefined ? { catalogMappings: target.catalogMappings } : {}),
    };
    reporter.info(describeOspToolCommand(options));
    const toolResult = await runOspTool(options);
    return toolResult.failed
      ? { published: false, reason: toolResult.failureReason ?? 'OSPTool failed' }
      : { published: true, warnings: [] };
  }
}
