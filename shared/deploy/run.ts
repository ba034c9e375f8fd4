/**
 * The deploy operation: verify the whole bundle before anything runs, plan producers first, then
 * publish one package at a time with OSPTool, recording each success so a rerun resumes after it.
 * The first failure stops the run before the next package.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkPackageHash, verifyBundle } from '../bundle/verify';
import type { VerifiedBundle } from '../bundle/verify';
import { describeOspToolCommand } from '../osptool/command';
import { runOspTool } from '../osptool/runner';
import type { Reporter } from '../util/reporter';
import { onRunningToolsChanged } from '../osptool/registry';
import { onForcedExit } from '../task/forcedExit';
import { DeployJournal, journalKey, locateJournal } from './journal';
import { DeployLock } from './lock';
import type { DeployParameters } from './parameters';
import { planDeployment } from './plan';
import type { PlannedPackage } from './plan';

export type PackageOutcome = 'published' | 'already published' | 'failed' | 'not started' | 'planned';

export interface DeployedPackage extends PlannedPackage {
  outcome: PackageOutcome;
  durationMs?: number;
  /** When outcome is 'already published': when the journal recorded it. */
  publishedAt?: string;
  /** When outcome is 'failed': OSPTool's failure, in the runner's words. */
  failureReason?: string;
}

/** Why a deployment that got as far as publishing stopped; report.ts puts it in words. */
export type DeployFailure = { kind: 'package failed'; position: number } | { kind: 'cancelled' };

export interface DeployResult {
  bundle: VerifiedBundle;
  packages: DeployedPackage[];
  publishedCount: number;
  dryRun: boolean;
  targetHostname: string;
  failure?: DeployFailure;
  journalFile?: string;
}

export interface DeployEnvironment {
  reporter: Reporter;
  signal: AbortSignal;
  agentTempDirectory: string;
  run?: string;
  /** Where OSPTool's output goes, line by line (the task log). */
  writeToolLine: (line: string) => void;
}

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
  if (!params.dryRun) checkFile(params.osptoolPath, 'OSPTool');
  if (params.catalogMappings !== undefined) checkFile(params.catalogMappings, 'catalog mappings file');

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
  reporter.info(`Plan for ${params.targetHostname} (producers first):`);
  for (const p of plan) {
    reporter.info(`  ${p.position}. ${p.application.name} ${p.application.version}  ${p.application.file}`);
  }

  const location = await locateJournal(params.bundlePath, params.targetHostname, env.agentTempDirectory);
  const journal = await DeployJournal.open(
    location,
    params.targetHostname,
    params.bundlePath,
    journalKey(params.targetHostname, params.user, params.password),
  );
  if (journal.ignoredProblem !== undefined) reporter.warn(journal.ignoredProblem);
  const packages: DeployedPackage[] = plan.map((p) => ({ ...p, outcome: params.dryRun ? 'planned' : 'not started' }));
  const result: DeployResult = {
    bundle,
    packages,
    publishedCount: 0,
    dryRun: params.dryRun,
    targetHostname: params.targetHostname,
    journalFile: journal.file,
  };

  if (params.dryRun) {
    for (const p of packages) {
      if (journal.published(p.application.key, p.application.sha256) !== undefined) p.outcome = 'already published';
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
  // OSPTool is given a private local copy made while hashing, never the file on the share.
  const localCopies = path.join(env.agentTempDirectory, `airgap-publish-${crypto.randomBytes(6).toString('hex')}`);
  await fs.promises.mkdir(localCopies, { recursive: true });
  try {
    for (const p of packages) {
      const done = journal.published(p.application.key, p.application.sha256);
      if (done !== undefined) {
        p.outcome = 'already published';
        p.publishedAt = done.publishedAt;
        reporter.info(
          `${p.position}. ${p.application.name} ${p.application.version}: already published to ${params.targetHostname} on ${done.publishedAt} with the same bytes; skipped`,
        );
        continue;
      }
      if (signal.aborted) break;
      reporter.progress(
        Math.floor(((p.position - 1) / packages.length) * 100),
        `Publishing ${p.application.name} (${p.position}/${packages.length})`,
      );
      const toolResult = await reporter.group(`Publish ${p.application.name} ${p.application.version}`, async () => {
        const copy = path.join(localCopies, p.application.file);
        await checkPackageHash(p.filePath, p.application, undefined, copy);
        const options = {
          toolPath: params.osptoolPath,
          packagePath: copy,
          hostname: params.targetHostname,
          user: params.user,
          password: params.password,
          timeoutMs: params.timeoutMinutes * 60_000,
          timeoutDescription: `${params.timeoutMinutes} minute(s)`,
          signal,
          onLine: (line: string) => env.writeToolLine(line),
          ...(params.catalogMappings !== undefined ? { catalogMappings: params.catalogMappings } : {}),
        };
        reporter.info(describeOspToolCommand(options));
        try {
          return await runOspTool(options);
        } finally {
          await fs.promises.rm(copy, { force: true });
        }
      });
      p.durationMs = toolResult.durationMs;
      if (toolResult.failed) {
        p.outcome = 'failed';
        p.failureReason = toolResult.failureReason ?? 'OSPTool failed';
        result.failure = { kind: 'package failed', position: p.position };
        return result;
      }
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
}
