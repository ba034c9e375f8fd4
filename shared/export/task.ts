import * as tl from 'azure-pipelines-task-lib/task';

// Placeholder until the operation lands (replaced in the task's own change).
export async function runExportTask(): Promise<void> {
  await Promise.resolve();
  tl.setResult(tl.TaskResult.Failed, 'AirGapExport is not implemented yet');
}
