/** OutSystemsAirGapDeploy@1: the agent-facing shell around runDeploy. */
import * as os from 'node:os';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentReporter } from '../task/agentReporter';
import { writeLine } from '../task/output';
import { runTask } from '../task/run';
import { uploadSummary } from '../task/summary';
import { readDeployParameters } from './parameters';
import { deployOutcome, deploySummaryMarkdown, deploySummaryTitle } from './report';
import { runDeploy } from './run';

/** A tool's line must not be able to issue agent commands on our behalf. */
function neutralise(line: string): string {
  return line.replace(/##(vso)?\[/gi, (m) => m.replace('##', '#\u200b#'));
}

export async function runDeployTask(): Promise<void> {
  await runTask('OutSystemsAirGapDeploy', async (context) => {
    const params = readDeployParameters();
    const run = [tl.getVariable('Build.BuildNumber'), tl.getVariable('System.JobId')].filter(Boolean).join(' ');
    const result = await runDeploy(params, {
      reporter: agentReporter(context),
      signal: context.signal,
      agentTempDirectory: tl.getVariable('Agent.TempDirectory') ?? os.tmpdir(),
      ...(run !== '' ? { run } : {}),
      writeToolLine: (line) => writeLine(`  ${neutralise(line)}`),
    });
    uploadSummary(deploySummaryTitle(result), deploySummaryMarkdown(result));
    tl.setVariable('deployedCount', String(result.publishedCount), false, true);
    tl.setVariable('deploymentOrder', result.packages.map((p) => p.application.name).join(','), false, true);
    return deployOutcome(result);
  });
}
