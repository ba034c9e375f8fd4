/** OutSystemsAirGapDeploy@1: the agent-facing shell around runDeploy. */
import * as os from 'node:os';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentReporter } from '../task/agentReporter';
import { httpClientFromAgent, lifeTimeClientFromAgent } from '../task/lifeTimeFromAgent';
import { writeLine } from '../task/output';
import { runTask } from '../task/run';
import { setOutputVariable } from '../task/variables';
import { uploadSummary } from '../task/summary';
import { readDeployParameters } from './parameters';
import { deployOutcome, deploySummaryMarkdown, deploySummaryTitle } from './report';
import { runDeploy } from './run';

export async function runDeployTask(): Promise<void> {
  await runTask('OutSystemsAirGapDeploy', async (context) => {
    const params = readDeployParameters();
    const run = [tl.getVariable('Build.BuildNumber'), tl.getVariable('System.JobId')].filter(Boolean).join(' ');
    const lifeTime =
      params.lifeTime === undefined
        ? undefined
        : lifeTimeClientFromAgent(params.lifeTime, httpClientFromAgent(context), context.signal);
    const result = await runDeploy(params, {
      ...(lifeTime !== undefined ? { lifeTime } : {}),
      reporter: agentReporter(context),
      signal: context.signal,
      agentTempDirectory: tl.getVariable('Agent.TempDirectory') ?? os.tmpdir(),
      ...(run !== '' ? { run } : {}),
      // writeLine breaks any agent command in the tool's line: the tool echoes package contents.
      writeToolLine: (line) => writeLine(`  ${line}`),
    });
    uploadSummary(deploySummaryTitle(result), deploySummaryMarkdown(result));
    setOutputVariable('deployedCount', String(result.publishedCount));
    setOutputVariable('deploymentOrder', result.packages.map((p) => p.application.name).join(','));
    return deployOutcome(result);
  });
}
