/** OutSystemsAirGapSyncTags@1: the agent-facing shell around runSyncTags. */
import { agentReporter } from '../agentReporter';
import { httpClientFromAgent, lifeTimeClientFromAgent } from '../lifeTimeFromAgent';
import { runTask } from '../task/run';
import { setOutputVariable } from '../task/variables';
import { markdownTable, uploadSummary } from '../task/summary';
import { readSyncTagsParameters } from './readParameters';
import { SYNC_TAGS_SUMMARY_HEADERS, syncTagsSummaryRows } from './report';
import { SyncTagsFailedError, runSyncTags } from './run';
import type { SyncTagsResult } from './run';

function publishOutputs(result: SyncTagsResult): void {
  uploadSummary(
    `OutSystems air gap tag sync - ${result.environment}`,
    markdownTable(SYNC_TAGS_SUMMARY_HEADERS, syncTagsSummaryRows(result)),
  );
  setOutputVariable('taggedCount', String(result.taggedCount));
}

export async function runSyncTagsTask(): Promise<void> {
  await runTask('OutSystemsAirGapSyncTags', async (context) => {
    const params = readSyncTagsParameters();
    const http = httpClientFromAgent(context);
    try {
      const result = await runSyncTags(params, {
        lifeTime: lifeTimeClientFromAgent(params.lifeTime, http, context.signal),
        reporter: agentReporter(context),
        signal: context.signal,
      });
      publishOutputs(result);
      const already = result.results.filter((r) => r.outcome === 'already tagged').length;
      const skipped = result.results.filter((r) => r.outcome === 'skipped').length;
      return {
        message:
          `Tagged ${result.taggedCount} application version(s) in ${result.environment}` +
          (already > 0 ? `, ${already} already tagged` : '') +
          (skipped > 0 ? `, ${skipped} skipped` : ''),
      };
    } catch (error) {
      if (error instanceof SyncTagsFailedError) publishOutputs(error.result);
      throw error;
    }
  });
}
