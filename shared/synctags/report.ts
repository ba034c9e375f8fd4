import type { SyncTagsResult } from './run';

export const SYNC_TAGS_SUMMARY_HEADERS = ['Application', 'Version', 'Result', 'Matched by', 'Note'];

export function syncTagsSummaryRows(result: SyncTagsResult): string[][] {
  return result.results.map((r) => [r.application.name, r.application.version, r.outcome, r.matchedBy ?? '', r.note]);
}
