/** The run's summary: one row per application, then the plan and what LifeTime reported. */
import { markdownCell, markdownTable } from '../task/summary';
import type { PromoteResult } from './run';

export const PROMOTE_SUMMARY_HEADERS = ['Application', 'From (in target)', 'To', 'Result'];

export function promoteSummaryRows(result: PromoteResult): string[][] {
  return result.rows.map((r) => {
    const c = r.candidate;
    const from =
      c.fromVersion === undefined
        ? '(not deployed)'
        : `${c.fromVersion === '' ? '(untagged)' : c.fromVersion}${c.fromModified ? ' (modified)' : ''}`;
    return [c.application.name, from, c.application.version, r.result];
  });
}

export function promoteSummaryMarkdown(result: PromoteResult): string {
  const lines = [markdownTable(PROMOTE_SUMMARY_HEADERS, promoteSummaryRows(result))];
  const plan = result.plan;
  lines.push(
    plan === undefined
      ? `No deployment plan: ${markdownCell(result.target)} already runs every version of the bundle.`
      : `Deployment plan ${markdownCell(plan.key)} (${plan.created ? 'created by this run' : 'found from an earlier run'}): ${markdownCell(plan.status)}.`,
  );
  for (const [title, messages] of [
    ['LifeTime warnings', result.lifeTimeWarnings],
    ['LifeTime errors', result.lifeTimeErrors],
  ] as const) {
    if (messages.length === 0) continue;
    lines.push('', `**${title}**`, '', ...messages.map((m) => `- ${markdownCell(m)}`));
  }
  return lines.join('\n') + '\n';
}
