/** OutSystemsAirGapSyncTags@1: the agent-facing shell around runSyncTags. */
import { lifeTimeEnvironmentFromAgent } from '../task/lifeTimeFromAgent';
import { runTask } from '../task/run';
import { setOutputVariable } from '../task/variables';
import { uploadSummary } from '../task/summary';
import { readSyncTagsParameters } from './parameters';
import { syncTagsOutcome, syncTagsSummaryMarkdown, syncTagsSummaryTitle } from './report';
import { runSyncTags } from './run';

export async function runSyncTagsTask(): Promise<void> {
  await runTask('OutSystemsAirGapSyncTags', async (context) => {
    const params = readSyncTagsParameters();
    const result = await runSyncTags(params, lifeTimeEnvironmentFromAgent(params.lifeTime, context));
    uploadSummary(syncTagsSummaryTitle(result), syncTagsSummaryMarkdown(result));
    setOutputVariable('taggedCount', String(result.taggedCount));
    return syncTagsOutcome(result);
  });
}
