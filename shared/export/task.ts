/** OutSystemsAirGapExport@1: the agent-facing shell around runExport. */
import * as tl from 'azure-pipelines-task-lib/task';
import taskJson from '../../tasks/AirGapExport/task.json';
import { lifeTimeEnvironmentFromAgent } from '../task/lifeTimeFromAgent';
import { ProbeClient } from '../lifetime/probe';
import { runTask } from '../task/run';
import { setOutputVariable } from '../task/variables';
import { uploadSummary } from '../task/summary';
import { readExportParameters } from './parameters';
import { pipelineRunFrom } from '../bundle/pipelineRun';
import { EXPORT_SUMMARY_TITLE, exportOutcome, exportSummaryMarkdown, logExportResult } from './report';
import { runExport } from './run';
import type { ExportEnvironment } from './run';

const TASK_VERSION = `${taskJson.version.Major}.${taskJson.version.Minor}.${taskJson.version.Patch}`;

export async function runExportTask(): Promise<void> {
  await runTask('OutSystemsAirGapExport', async (context) => {
    const params = readExportParameters();
    const { http, ...agent } = lifeTimeEnvironmentFromAgent(params.lifeTime, context);
    const reporter = agent.reporter;
    const env: ExportEnvironment = {
      ...agent,
      pipeline: pipelineRunFrom((name) => tl.getVariable(name)),
      taskVersion: TASK_VERSION,
    };
    if (params.dependencySource.kind === 'probe') {
      env.probe = new ProbeClient({
        baseUrl: params.dependencySource.url,
        http,
        signal: context.signal,
        ...(params.dependencySource.key !== undefined ? { key: params.dependencySource.key } : {}),
      });
    }
    const result = await runExport(params, env);
    await logExportResult(result, reporter);
    uploadSummary(EXPORT_SUMMARY_TITLE, exportSummaryMarkdown(result));
    setOutputVariable('bundlePath', result.bundlePath);
    setOutputVariable('applicationCount', String(result.packages.length));
    return exportOutcome(result);
  });
}
