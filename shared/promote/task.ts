/** OutSystemsAirGapPromote@1: the agent-facing shell around runPromote. */
import * as tl from 'azure-pipelines-task-lib/task';
import { pipelineRunFrom } from '../bundle/pipelineRun';
import { lifeTimeEnvironmentFromAgent } from '../task/lifeTimeFromAgent';
import { runTask } from '../task/run';
import { uploadSummary } from '../task/summary';
import { setOutputVariable } from '../task/variables';
import { readPromoteParameters } from './parameters';
import { promoteOutcome, promoteSummaryMarkdown, promoteSummaryTitle } from './report';
import { runPromote } from './run';

/** "airgap-release 20261128.1 <url>": what the plan's default notes say promoted it. */
function pipelineRun(): string {
  const run = pipelineRunFrom((name) => tl.getVariable(name));
  return [run.definitionName, run.buildNumber ?? run.releaseName, run.runUrl]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}

export async function runPromoteTask(): Promise<void> {
  await runTask('OutSystemsAirGapPromote', async (context) => {
    const params = readPromoteParameters();
    const result = await runPromote(params, {
      ...lifeTimeEnvironmentFromAgent(params.lifeTime, context),
      pipelineRun: pipelineRun(),
    });
    uploadSummary(promoteSummaryTitle(result), promoteSummaryMarkdown(result));
    setOutputVariable('deploymentKey', result.plan?.key ?? '');
    setOutputVariable('promotedCount', String(result.promotedCount));
    return promoteOutcome(result);
  });
}
