/**
 * The promote operation called in process, without the task shell: results come back as data
 * (report.ts words them), and the request log shows what the plan search asks of LifeTime.
 */
import * as assert from 'node:assert/strict';
import type { PromoteParameters } from '../../shared/promote/parameters';
import { describeRefusal, promoteOutcome, promoteSummaryMarkdown } from '../../shared/promote/report';
import { runPromote, type PromoteResult } from '../../shared/promote/run';
import { PROD_TOKEN } from '../../tools/factories/estate';
import { eachTest } from '../support/eachTest';
import { lifeTimeClientFor } from '../support/lifeTimeClients';
import { CORE, PORTAL, promoteWorld, type PromoteWorld } from '../support/promoteWorld';
import { recordingReporter, type RecordingReporter } from '../support/recordingReporter';

const DAY = 86_400_000;

function day(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);
}

describe('runPromote, in process', function () {
  this.timeout(60_000);
  let w: PromoteWorld;
  let reporter: RecordingReporter;
  eachTest(
    () => promoteWorld(),
    (world) => {
      w = world;
      reporter = recordingReporter();
    },
  );

  const params = (more: Partial<PromoteParameters> = {}): PromoteParameters => ({
    lifeTime: { serverUrl: w.production.url, token: PROD_TOKEN },
    sourceEnvironment: 'Pre-Production',
    targetEnvironment: 'Production',
    bundlePath: w.bundle,
    twoStepMode: 'continue',
    redeployOutdated: false,
    timeoutMinutes: 1,
    ...more,
  });
  const promote = (more: Partial<PromoteParameters> = {}): Promise<PromoteResult> =>
    runPromote(params(more), {
      lifeTime: lifeTimeClientFor(w.production, PROD_TOKEN),
      reporter,
      signal: new AbortController().signal,
      pipelineRun: 'in-process test',
    });

  it('asks the plan list once, a month back to tomorrow, and reads no status of a saved or an aborted plan', async () => {
    const saved = w.production.addDeployment({
      targetEnvironment: 'Production',
      applications: [{ name: CORE.name, version: '1.0.0' }],
      status: 'saved',
    });
    const aborted = w.production.addDeployment({
      targetEnvironment: 'Production',
      applications: [{ name: PORTAL.name, version: '2.2.0' }],
      status: 'running',
    });
    w.production.abortDeploymentAsPerson(aborted);
    // LifeTime goes through `aborting` first; the plan is done, with its AbortedOn date, a step later.
    while (w.production.deployments().find((p) => p.key === aborted)?.status !== 'aborted') {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const result = await promote();
    assert.equal(result.failure, undefined, JSON.stringify(result.failure));
    assert.equal(result.promotedCount, 2);
    const lists = w.production.requests.filter((r) => r.method === 'GET' && /\/deployments\/?$/.test(r.path));
    assert.equal(lists.length, 1, 'one list call serves both the own-plan search and the busy check');
    const query = new URLSearchParams(lists[0]?.query ?? '');
    // A month back at least (further when the bundle is older: its own plans cannot predate it).
    assert.match(query.get('MinDate') ?? '', /^\d{4}-\d{2}-\d{2}$/);
    assert.ok((query.get('MinDate') ?? '') <= day(-31), query.get('MinDate') ?? '');
    assert.equal(query.get('MaxDate'), day(1));
    assert.match(query.get('TargetEnvironmentKey') ?? '', /^[0-9a-f-]{36}$/);
    for (const key of [saved, aborted]) {
      assert.ok(!w.production.requests.some((r) => r.path.includes(`/deployments/${key}/status`)), key);
    }
    const start = w.production.requests.find((r) => r.method === 'POST' && /\/start\/?$/.test(r.path));
    assert.match(start?.query ?? '', /RedeployOutdated=false/, 'the input reaches LifeTime');
    assert.match(promoteSummaryMarkdown(result), /\| Customer Core \| 1\.0\.0 \| 1\.1\.0 \| promoted \|/);
    assert.match(
      promoteOutcome(result).message,
      /^Promoted 2 application version\(s\) from Pre-Production to Production/,
    );
  });

  it('gives every refusal back as data, worded once by report.ts, with no LifeTime change', async () => {
    await w.close();
    w = await promoteWorld([
      { ...PORTAL, pre: { version: '2.2.0' } },
      { ...CORE, pre: { version: CORE.version, modified: true } },
    ]);
    const result = await promote();
    assert.deepEqual(result.failure, { kind: 'refused' });
    assert.deepEqual(
      result.refusals.map((r) => r.why),
      ['runs another tag', 'modified'],
    );
    const [first] = result.refusals;
    assert.ok(first);
    assert.match(describeRefusal(first, result), /runs the tag 2\.2\.0, not the bundle's 2\.3\.0/);
    const outcome = promoteOutcome(result);
    assert.equal(outcome.failed, true);
    assert.match(outcome.message, /2 application\(s\) of the bundle cannot be promoted/);
    assert.deepEqual(w.changes(), []);
    assert.equal(w.production.requests.filter((r) => r.path.includes('/deployments')).length, 0);
  });
});
