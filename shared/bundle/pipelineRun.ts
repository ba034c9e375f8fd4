import type { PipelineRun } from '../bundle/manifest';

/** Agent variables recorded in the bundle so a reader on the other side knows which run made it. */
const RECORDED: Record<keyof PipelineRun, string> = {
  collectionUri: 'System.TeamFoundationCollectionUri',
  teamProject: 'System.TeamProject',
  definitionName: 'System.DefinitionName',
  buildNumber: 'Build.BuildNumber',
  buildId: 'Build.BuildId',
  releaseName: 'Release.ReleaseName',
  releaseId: 'Release.ReleaseId',
  stageName: 'System.StageName',
  jobId: 'System.JobId',
  requestedFor: 'Build.RequestedFor',
  sourceVersion: 'Build.SourceVersion',
  runUrl: '',
};

export function pipelineRunFrom(getVariable: (name: string) => string | undefined): PipelineRun {
  const run: PipelineRun = {};
  for (const [field, variable] of Object.entries(RECORDED) as [keyof PipelineRun, string][]) {
    if (variable === '') continue;
    const value = getVariable(variable);
    if (value !== undefined && value !== '') run[field] = value;
  }
  if (run.collectionUri !== undefined && run.teamProject !== undefined && run.buildId !== undefined) {
    run.runUrl = `${run.collectionUri.replace(/\/$/, '')}/${encodeURIComponent(run.teamProject)}/_build/results?buildId=${encodeURIComponent(run.buildId)}`;
  }
  return run;
}
