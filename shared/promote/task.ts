/** OutSystemsAirGapPromote@1: the agent-facing shell around runPromote. */
import * as tl from 'azure-pipelines-task-lib/task';
import { agentReporter } from '../agentReporter';
import { httpClientFromAgent, lifeTimeClientFromAgent } from '../lifeTimeFromAgent';
import { runTask } from '../task/run';
import { uploadSummary } from '../task/summary';
import { readPromoteParameters } from './readParameters';
import { promoteSummaryMarkdown } from './report';
import { PromoteFailedError, runPromote } from './run';
import type { PromoteResult } from './run';

function publishOutputs(result: PromoteResult): void {
  uploadSummary(`OutSystems air gap promote - ${result.source} to ${result.target}`, promoteSummaryMarkdown(result));
  tl.setVariable('deploymentKey', result.plan?.key ?? '', false, true);
  tl.setVariable('promotedCount', String(result.promotedCount), false, true);
}

/** "airgap-release 20261128.1 <url>": what the plan's default notes say promoted it. */
function pipelineRun(): string {
  const definition = tl.getVariable('Build.DefinitionName') ?? tl.getVariable('Release.DefinitionName');
  const number = tl.getVariable('Build.BuildNumber') ?? tl.getVariable('Release.ReleaseName');
  const collection = tl.getVariable('System.CollectionUri');
  const project = tl.getVariable('System.TeamProject');
  const buildId = tl.getVariable('Build.BuildId');
  const url =
    collection !== undefined && project !== undefined && buildId !== undefined
      ? `${collection.replace(/\/$/, '')}/${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(buildId)}`
      : undefined;
  return [definition, number, url].filter((p) => p !== undefined && p !== '').join(' ');
}

export async function runPromoteTask(): Promise<void> {
  await runTask('OutSystemsAirGapPromote', async (context) => {
    const params = readPromoteParameters();
    const http = httpClientFromAgent(context);
    try {
      const result = await runPromote(params, {
        lifeTime: lifeTimeClientFromAgent(params.lifeTime, http, context.signal),
        reporter: agentReporter(context),
        signal: context.signal,
        pipelineRun: pipelineRun(),
      });
      publishOutputs(result);
      const left = result.rows.filter((r) => r.result === 'already there').length;
      const message =
        result.plan === undefined
          ? `Nothing to promote: ${result.target} already runs the bundle's ${left} version(s)`
          : `Promoted ${result.promotedCount} application version(s) from ${result.source} to ${result.target} (deployment plan ${result.plan.key}: ${result.plan.status})` +
            (left > 0 ? `, ${left} already there` : '');
      return { message };
    } catch (error) {
      if (error instanceof PromoteFailedError) publishOutputs(error.result);
      throw error;
    }
  });
}
