/** The one place the promotion's outcomes are put in words: log lines, the summary, the task's verdict. */
import { markdownCell, markdownTable } from '../task/markdown';
import type { TaskOutcome } from '../task/run';
import type { PromoteResult } from './run';
import type { Candidate, Refusal } from './selection';

interface Where {
  source: string;
  target: string;
  lifeTimeHost: string;
}

export function describeRefusal(r: Refusal, where: Where): string {
  const { source } = where;
  switch (r.why) {
    case 'unknown application':
      return `no application with key ${r.application.key}, UID ${r.application.uid} or name "${r.application.name}" in LifeTime ${where.lifeTimeHost}; was the bundle deployed to ${source}?`;
    case 'not running':
      return `does not run in ${source}; was the bundle deployed there?`;
    case 'never tagged':
      return `runs in ${source} but was never tagged there; run the tag sync (OutSystemsAirGapSyncTags) for this bundle first`;
    case 'runs another tag':
      return `${source} runs the tag ${r.runningTag === '' ? '(without a number)' : r.runningTag}, not the bundle's ${r.application.version}; deploy this bundle to ${source} and run the tag sync first`;
    case 'modified':
      return `${source} runs changes made after its tag ${r.runningTag} (${r.modifiedMessage ?? 'modified'}), so the tagged version is not what was verified there`;
  }
}

export function describeCandidate(c: Candidate, where: Where): string {
  const app = `"${c.application.name}" ${c.application.version}`;
  const matched = c.matchedBy === 'key' ? '' : `, matched by ${c.matchedBy} (LifeTime key ${c.lifeTime.Key})`;
  const from =
    c.fromVersion === undefined
      ? `not in ${where.target} yet`
      : `${where.target} runs ${c.fromVersion === '' ? 'an untagged version' : c.fromVersion}${c.fromModified ? ' with changes made after that tag' : ''}`;
  const what = c.alreadyThere ? `${where.target} already runs it; left out` : `${from}; to promote`;
  return `${app}: ${where.source} runs it unmodified (version key ${c.versionKey}${matched}); ${what}`;
}

const PROMOTE_SUMMARY_HEADERS = ['Application', 'From (in target)', 'To', 'Result'];

export function promoteSummaryTitle(result: PromoteResult): string {
  return `OutSystems air gap promote - ${result.source} to ${result.target}`;
}

export function promoteSummaryRows(result: PromoteResult): string[][] {
  const rows = result.rows.map((r) => {
    const c = r.candidate;
    const from =
      c.fromVersion === undefined
        ? '(not deployed)'
        : `${c.fromVersion === '' ? '(untagged)' : c.fromVersion}${c.fromModified ? ' (modified)' : ''}`;
    return [c.application.name, from, c.application.version, r.result];
  });
  for (const r of result.refusals) {
    rows.push([r.application.name, '', r.application.version, `refused: ${describeRefusal(r, result)}`]);
  }
  return rows;
}

export function promoteSummaryMarkdown(result: PromoteResult): string {
  const lines = [markdownTable(PROMOTE_SUMMARY_HEADERS, promoteSummaryRows(result))];
  const plan = result.plan;
  if (plan !== undefined) {
    lines.push(
      `Deployment plan ${markdownCell(plan.key)} (${plan.created ? 'created by this run' : 'found from an earlier run'}): ${markdownCell(plan.status)}.`,
    );
  } else if (result.failure === undefined) {
    lines.push(`No deployment plan: ${markdownCell(result.target)} already runs every version of the bundle.`);
  } else {
    lines.push('No deployment plan was created.');
  }
  const failure = result.failure;
  if (failure?.kind === 'plan') {
    lines.push('', `**Failed:** ${markdownCell(failure.reason)}`);
    if (failure.stillRunning && plan !== undefined) {
      lines.push('', `The plan may go on in LifeTime: follow deployment plan ${markdownCell(plan.key)} there.`);
    }
  }
  for (const [title, messages] of [
    ['Conflicts', failure?.kind === 'plan' ? (failure.conflicts ?? []) : []],
    ['LifeTime warnings', result.lifeTimeWarnings],
    ['LifeTime errors', result.lifeTimeErrors],
  ] as const) {
    if (messages.length === 0) continue;
    lines.push('', `**${title}**`, '', ...messages.map((m) => `- ${markdownCell(m)}`));
  }
  return lines.join('\n') + '\n';
}

export function promoteOutcome(result: PromoteResult): TaskOutcome {
  const { source, target } = result;
  if (result.failure?.kind === 'refused') {
    return {
      failed: true,
      message:
        `${result.refusals.length} application(s) of the bundle cannot be promoted from "${source}" to "${target}" (LifeTime ${result.lifeTimeHost}); no deployment plan was created: ` +
        result.refusals
          .map((r) => `"${r.application.name}" ${r.application.version}: ${describeRefusal(r, result)}`)
          .join('; '),
    };
  }
  const failure = result.failure;
  if (failure?.kind === 'busy') {
    return {
      failed: true,
      message:
        failure.why === 'timeout'
          ? `No deployment plan was created: ${target} stayed busy for the whole timeout with ${failure.blocking.join(', ')}`
          : `No deployment plan was created: the task was cancelled while ${target} was busy with ${failure.blocking.join(', ')}`,
    };
  }
  if (failure?.kind === 'plan') {
    const toPromote = result.rows
      .filter((r) => r.result !== 'already there')
      .map((r) => `"${r.candidate.application.name}" ${r.candidate.application.version}`);
    return { failed: true, message: `Promoting ${toPromote.join(', ')} to ${target} failed: ${failure.reason}` };
  }
  const left = result.rows.filter((r) => r.result === 'already there').length;
  if (result.plan === undefined) {
    return { message: `Nothing to promote: ${target} already runs the bundle's ${left} version(s)` };
  }
  if (result.rows.some((r) => r.result === 'prepared')) {
    return {
      message: `Deployment plan ${result.plan.key} to ${target} is prepared (two-step) and left there, as twoStepMode 'stop' asks; a rerun with 'continue' finishes it`,
    };
  }
  return {
    message:
      `Promoted ${result.promotedCount} application version(s) from ${source} to ${target} (deployment plan ${result.plan.key}: ${result.plan.status})` +
      (left > 0 ? `, ${left} already there` : ''),
  };
}
