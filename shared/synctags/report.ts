/** The one place a tag outcome is put in words: the log line, the summary's note, the task's verdict. */
import { markdownTable } from '../task/markdown';
import type { TaskOutcome } from '../task/run';
import type { SyncTagsResult, TagResult } from './run';

export interface TagWords {
  /** The full sentence for the log and the failure message. */
  detail: string;
  /** The same, without what the summary's other columns already say. */
  note: string;
  /** Something a person must read although nothing failed. */
  warning?: string;
}

export function describeTag(r: TagResult, where: { environment: string; lifeTimeHost: string }): TagWords {
  const env = where.environment;
  const wanted = r.application.version;
  const matched =
    r.match === undefined
      ? ''
      : `matched by ${r.match.matchedBy}${r.match.matchedBy === 'key' ? '' : ` (LifeTime key ${r.match.lifeTimeKey})`}`;
  switch (r.outcome) {
    case 'tagged':
      return {
        detail: `tagged ${wanted} (version key ${r.versionKey}) on what runs in ${env}, ${matched}`,
        note: `version key ${r.versionKey}`,
      };
    case 'already tagged':
      return {
        detail: `runs ${wanted}${r.modified ? ' with changes made after that tag' : ' unmodified'}, ${matched}; nothing to do`,
        note: r.modified ? 'tagged earlier; changed since' : 'nothing to do',
        ...(r.modified
          ? {
              warning: `${env} runs changes made after its tag ${wanted} (${r.modifiedMessage ?? 'modified'}); a version number cannot be tagged twice, so tag these changes by hand if they are to be kept`,
            }
          : {}),
      };
    case 'skipped':
      return {
        detail: `${env} already carries the higher tag ${r.runningTag} (bundle: ${wanted}); not tagged`,
        note: `higher tag ${r.runningTag} already there`,
      };
    case 'failed':
      switch (r.why) {
        case 'unknown application':
          return {
            detail: `no application with key ${r.application.key}, UID ${r.application.uid} or name "${r.application.name}" in LifeTime ${where.lifeTimeHost}; was it deployed to ${env}?`,
            note: `unknown to this LifeTime; was it deployed to ${env}?`,
          };
        case 'not running':
          return { detail: `not running in ${env}; was it deployed to ${env}?`, note: `not running in ${env}` };
        case 'runs another tag':
          return {
            detail: `${env} runs the unmodified tag ${r.runningTag}, not the bundle's ${wanted}; was it deployed to ${env}?`,
            note: `runs ${r.runningTag} unmodified; not deployed?`,
          };
        case 'number taken':
          return {
            detail: `LifeTime already has version ${wanted} of this application (version key ${r.existingKey}), but ${env} runs other code${r.runningTag !== undefined ? ` (changed since ${r.runningTag})` : ''}; a version number cannot be tagged twice`,
            note: `version ${wanted} exists but is not what runs`,
          };
        case 'error':
          return { detail: r.message, note: r.message };
      }
  }
}

const SYNC_TAGS_SUMMARY_HEADERS = ['Application', 'Version', 'Result', 'Matched by', 'Note'];

export function syncTagsSummaryTitle(result: SyncTagsResult): string {
  return `OutSystems air gap tag sync - ${result.environment}`;
}

export function syncTagsSummaryRows(result: SyncTagsResult): string[][] {
  return result.results.map((r) => [
    r.application.name,
    r.application.version,
    r.outcome,
    r.match?.matchedBy ?? '',
    describeTag(r, result).note,
  ]);
}

export function syncTagsSummaryMarkdown(result: SyncTagsResult): string {
  return markdownTable(SYNC_TAGS_SUMMARY_HEADERS, syncTagsSummaryRows(result));
}

/** Fails when any application could not be tagged, naming each with its reason. */
export function syncTagsOutcome(result: SyncTagsResult): TaskOutcome {
  const count = (outcome: TagResult['outcome']) => result.results.filter((r) => r.outcome === outcome).length;
  const failed = result.results.filter((r) => r.outcome === 'failed');
  if (failed.length > 0) {
    return {
      failed: true,
      message:
        `${failed.length} of ${result.results.length} application(s) could not be tagged in "${result.environment}" (LifeTime ${result.lifeTimeHost}): ` +
        failed.map((r) => `"${r.application.name}": ${describeTag(r, result).detail}`).join('; '),
    };
  }
  const already = count('already tagged');
  const skipped = count('skipped');
  return {
    message:
      `Tagged ${result.taggedCount} application version(s) in ${result.environment}` +
      (already > 0 ? `, ${already} already tagged` : '') +
      (skipped > 0 ? `, ${skipped} skipped` : ''),
  };
}
