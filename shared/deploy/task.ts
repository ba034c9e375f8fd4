/** OutSystemsAirGapDeploy@1: the agent-facing shell around runDeploy. */
import * as os from 'node:os';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentReporter } from '../agentReporter';
import { writeLine } from '../task/output';
import { runTask } from '../task/run';
import { setOutputVariable } from '../task/variables';
import { markdownTable, uploadSummary } from '../task/summary';
import { readDeployParameters } from './readParameters';
import { DEPLOY_SUMMARY_HEADERS, deploySummaryRows } from './report';
import { DeployFailedError, runDeploy } from './run';
import type { DeployResult } from './run';

function publishOutputs(result: DeployResult, title: string): void {
  uploadSummary(title, markdownTable(DEPLOY_SUMMARY_HEADERS, deploySummaryRows(result)));
  setOutputVariable('deployedCount', String(result.publishedCount));
  setOutputVariable('deploymentOrder', result.packages.map((p) => p.application.name).join(','));
}

export async function runDeployTask(): Promise<void> {
  await runTask('OutSystemsAirGapDeploy', async (context) => {
    const params = readDeployParameters();
    const reporter = agentReporter(context);
    const run = [tl.getVariable('Build.BuildNumber'), tl.getVariable('System.JobId')].filter(Boolean).join(' ');
    try {
      const result = await runDeploy(params, {
        reporter,
        signal: context.signal,
        agentTempDirectory: tl.getVariable('Agent.TempDirectory') ?? os.tmpdir(),
        ...(run !== '' ? { run } : {}),
        // writeLine breaks any agent command in the tool's line: the tool echoes package contents.
        writeToolLine: (line) => writeLine(`  ${line}`),
      });
      const title = params.dryRun ? 'OutSystems air gap deploy (dry run)' : 'OutSystems air gap deploy';
      publishOutputs(result, title);
      if (params.dryRun) {
        return { message: `Dry run: bundle verified, ${result.packages.length} package(s) planned, nothing published` };
      }
      const skipped = result.packages.filter((p) => p.outcome === 'already published').length;
      return {
        message:
          `Published ${result.publishedCount} package(s) to ${params.targetHostname}` +
          (skipped > 0 ? `, ${skipped} already published earlier` : ''),
      };
    } catch (error) {
      if (error instanceof DeployFailedError) publishOutputs(error.result, 'OutSystems air gap deploy (failed)');
      throw error;
    }
  });
}
