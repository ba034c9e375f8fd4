/** OutSystemsAirGapExport@1: the agent-facing shell around runExport. */
import * as tl from 'azure-pipelines-task-lib/task';
import taskJson from '../../tasks/AirGapExport/task.json';
import { agentReporter } from '../agentReporter';
import { httpClientFromAgent, lifeTimeClientFromAgent } from '../lifeTimeFromAgent';
import { ProbeClient } from '../lifetime/probe';
import { runTask } from '../task/run';
import { setOutputVariable } from '../task/variables';
import { markdownTable, uploadSummary } from '../task/summary';
import { pipelineRunFrom } from './pipelineRun';
import { readExportParameters } from './readParameters';
import { exportSummaryRows, logExportResult } from './report';
import { runExport } from './run';
import type { ExportEnvironment } from './run';

const TASK_VERSION = `${taskJson.version.Major}.${taskJson.version.Minor}.${taskJson.version.Patch}`;

export async function runExportTask(): Promise<void> {
  await runTask('OutSystemsAirGapExport', async (context) => {
    const params = readExportParameters();
    const reporter = agentReporter(context);
    const http = httpClientFromAgent(context);
    const env: ExportEnvironment = {
      lifeTime: lifeTimeClientFromAgent(params.lifeTime, http, context.signal),
      reporter,
      pipeline: pipelineRunFrom((name) => tl.getVariable(name)),
      taskVersion: TASK_VERSION,
      signal: context.signal,
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
    const notes = [
      `Bundle: \`${result.bundlePath}\``,
      `Source: ${result.manifest.source.environment.name} on ${result.manifest.source.lifeTimeUrl}`,
      result.signatureFingerprint !== undefined
        ? `Signed with Ed25519 key ${result.signatureFingerprint}`
        : 'Not signed',
      result.manifest.externalRequirements.length > 0
        ? `Required on the target, not in the bundle: ${result.manifest.externalRequirements.map((r) => r.name).join(', ')}`
        : '',
    ].filter((l) => l !== '');
    uploadSummary(
      'OutSystems air gap export',
      markdownTable(['Order', 'Application', 'Version', 'Size', 'sha256', 'Warnings'], exportSummaryRows(result)) +
        '\n' +
        notes.map((n) => `- ${n}`).join('\n') +
        '\n',
    );
    setOutputVariable('bundlePath', result.bundlePath);
    setOutputVariable('applicationCount', String(result.packages.length));
    return { message: `Exported ${result.packages.length} application(s) to ${result.bundlePath}` };
  });
}
