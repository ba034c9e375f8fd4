/** What the deploy shows: the summary table, and the task's closing message (success or failure). */
import { markdownTable } from '../task/markdown';
import type { TaskOutcome } from '../task/run';
import type { DeployResult } from './run';

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

const DEPLOY_SUMMARY_HEADERS = ['#', 'Application', 'Version', 'Result', 'Duration', 'Skipped'];
const PREFLIGHT_HEADERS = ['#', 'Application', 'Version', 'Target before', 'Result', 'Duration', 'Skipped', 'Plan'];

function skippedText(result: DeployResult, p: DeployResult['packages'][number]): string {
  if (p.outcome === 'already published') {
    return result.journalOnly
      ? 'yes (same bytes already published; judged by the deploy journal alone, no LifeTime connection)'
      : 'yes (same bytes already published; LifeTime shows no later version)';
  }
  return p.republishedWhy === undefined ? '' : 'no: LifeTime holds a later version, so published again';
}

export function deploySummaryTitle(result: DeployResult): string {
  if (result.failure !== undefined) return 'OutSystems air gap deploy (failed)';
  return result.dryRun ? 'OutSystems air gap deploy (dry run)' : 'OutSystems air gap deploy';
}

export function deploySummaryRows(result: DeployResult): string[][] {
  const withTarget = result.targetEnvironment !== undefined;
  return result.packages.map((p) => [
    String(p.position),
    p.application.name,
    p.application.version,
    ...(withTarget ? [p.targetBefore ?? ''] : []),
    p.outcome,
    duration(p.durationMs),
    skippedText(result, p),
    ...(withTarget ? [p.planKey ?? ''] : []),
  ]);
}

export function deploySummaryMarkdown(result: DeployResult): string {
  const headers = result.targetEnvironment !== undefined ? PREFLIGHT_HEADERS : DEPLOY_SUMMARY_HEADERS;
  return markdownTable(headers, deploySummaryRows(result));
}

/** How the task ends: the one place a deployment's end is put in words. */
export function deployOutcome(result: DeployResult): TaskOutcome {
  const host =
    result.targetEnvironment !== undefined
      ? `"${result.targetEnvironment}" (${result.targetHostname})`
      : result.targetHostname;
  const failure = result.failure;
  if (failure?.kind === 'cancelled') return { failed: true, message: 'the deployment was cancelled between packages' };
  if (failure?.kind === 'package failed') {
    const p = result.packages.find((q) => q.position === failure.position);
    const app = p === undefined ? `package ${failure.position}` : `"${p.application.name}" ${p.application.version}`;
    const reason = (p?.failureReason ?? 'the publication failed').replace(/\.$/, '');
    return {
      failed: true,
      message:
        `publishing ${app} to ${host} failed: ${reason}. ` +
        `Packages after it were not published; a rerun resumes at "${p?.application.name ?? app}"`,
    };
  }
  if (result.dryRun) {
    return { message: `Dry run: bundle verified, ${result.packages.length} package(s) planned, nothing published` };
  }
  const skipped = result.packages.filter((p) => p.outcome === 'already published').length;
  const judged =
    skipped > 0 && result.journalOnly
      ? ' (judged by the deploy journal alone: no lifeTimeConnection checked the target)'
      : '';
  return {
    message:
      `Published ${result.publishedCount} package(s) to ${host}` +
      (skipped > 0 ? `, ${skipped} already published earlier${judged}` : ''),
  };
}
