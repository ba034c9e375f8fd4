import * as tl from 'azure-pipelines-task-lib/task';

// Placeholder until the operation lands (replaced in the task's own change).
export async function runDeployTask(): Promise<void> {
  await Promise.resolve();
  tl.setResult(tl.TaskResult.Failed, 'AirGapDeploy is not implemented yet');
}
