import type { DeployResult } from './run';

function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export const DEPLOY_SUMMARY_HEADERS = ['#', 'Application', 'Version', 'Result', 'Duration', 'Skipped'];

export function deploySummaryRows(result: DeployResult): string[][] {
  return result.packages.map((p) => [
    String(p.position),
    p.application.name,
    p.application.version,
    p.outcome,
    duration(p.durationMs),
    p.outcome === 'already published' ? 'yes (same bytes already published)' : '',
  ]);
}
