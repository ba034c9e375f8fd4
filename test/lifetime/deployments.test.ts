import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings } from '../../shared/http/settings';
import { LifeTimeClient } from '../../shared/lifetime/client';
import { DeploymentPlans } from '../../shared/lifetime/deployments/api';
import { drivePlan, type DriveOptions, type DriveResult } from '../../shared/lifetime/deployments/drive';
import { findPlans } from '../../shared/lifetime/deployments/find';
import { parseDeploymentKey } from '../../shared/lifetime/deployments/key';
import type { DeploymentMessage } from '../../shared/lifetime/deployments/types';
import { LifeTimeOutcomeUnknownError } from '../../shared/lifetime/errors';
import { LifeTimeEmulator, type DeploymentScript } from '../../tools/emulator/emulator';
import { developmentNetwork } from '../../tools/emulator/estateSpec';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';
import { writeOap } from '../../tools/factories/oapFactory';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';
import { guidToUid } from '../../shared/oap/uid';

const KEY = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

type Failed = Extract<DriveResult, { outcome: 'failed' }>;
function failedOf(result: DriveResult): Failed {
  if (result.outcome !== 'failed') assert.fail(`expected a failure, got ${result.outcome}`);
  return result;
}

describe('LifeTime deployment plans (shared module, against the emulator)', function () {
  this.timeout(60_000);
  let lt: LifeTimeEmulator;
  let plans: DeploymentPlans;
  let dir: string;
  let target: { Key: string; Name: string };
  let source: { Key: string; Name: string };
  let pkg: string;

  async function start(overrides: Parameters<typeof developmentSpec>[0] = {}): Promise<void> {
    lt = await LifeTimeEmulator.start(
      developmentSpec({
        environments: [
          ...developmentNetwork(),
          { name: 'Pre-Production', hostName: 'preprod.example.com', type: 'Test' },
        ],
        deployments: { stepMs: 20 },
        ...overrides,
      }),
    );
    const client = new LifeTimeClient({
      serverUrl: lt.url,
      token: testToken,
      http: new HttpClient(defaultHttpSettings({ timeoutMs: 5000, retries: 1, backoffBaseMs: 1, backoffMaxMs: 5 })),
    });
    plans = new DeploymentPlans(client);
    const envs = await client.listEnvironments();
    const env = (name: string) => {
      const e = envs.find((x) => x.Name === name);
      return { Key: e?.Key ?? '', Name: name };
    };
    target = env('Pre-Production');
    source = env('Acceptance');
  }

  before(async () => {
    dir = makeTempDir({ prefix: 'deployments-' });
    pkg = path.join(dir, 'Inventory.oap');
    // Larger than the emulator's 1 MiB buffered-body limit: the upload has to stream.
    await writeOap(pkg, {
      uid: guidToUid('9c1f4a2e-7b3d-4e5f-8a6b-1c2d3e4f5a6b'),
      name: 'Inventory',
      payloadBytes: 3 * 1024 * 1024,
    });
  });
  after(() => removeTempDir(dir));
  beforeEach(() => start());
  afterEach(() => lt.close());

  function drive(key: string, extra: Partial<DriveOptions> = {}): Promise<DriveResult & { log: string[] }> {
    const log: string[] = [];
    return drivePlan(plans, key, {
      label: '"Inventory" (binary)',
      environmentName: target.Name,
      twoStep: 'continue',
      signal: new AbortController().signal,
      onLog: (m: DeploymentMessage) => log.push(m.Message ?? ''),
      ...extra,
    }).then((r) => ({ ...r, log }));
  }
  const upload = (script?: DeploymentScript): Promise<string> => {
    if (script) lt.scriptDeployment('Inventory', script);
    return plans.createFromBinary(target, pkg, '"Inventory"');
  };

  it('reads the key as plain text, as a JSON string and as {"DeploymentKey"}; nothing else', async () => {
    assert.equal(parseDeploymentKey(KEY), KEY);
    assert.equal(parseDeploymentKey(`"${KEY.toUpperCase()}"\n`), KEY);
    assert.equal(parseDeploymentKey(JSON.stringify({ DeploymentKey: KEY })), KEY);
    for (const bad of ['', 'null', '{}', '"not-a-key"', '<html>', '{"DeploymentKey": 42}', `${KEY}/../x`]) {
      assert.equal(parseDeploymentKey(bad), undefined, bad);
    }
    for (const form of ['text', 'json-string', 'object'] as const) {
      lt.setDeploymentKeyAnswer(form);
      const key = await upload();
      assert.equal(key, lt.deployments().at(-1)?.key, form);
    }
  });

  it('streams a package, starts the plan, prints each log line once and ends successful; the target runs it', async () => {
    const key = await upload();
    const result = await drive(key);
    assert.equal(result.outcome, 'succeeded');
    const record = lt.deployments()[0];
    assert.ok(record);
    assert.deepEqual(result.log, record.log, 'every message once, in order');
    assert.deepEqual(record.commands, ['start']);
    assert.equal(record.applications[0]?.name, 'Inventory');
    assert.equal(lt.running('Pre-Production', 'Inventory')?.modified, true);
  });

  it('a plan between environments, in the target default zone', async () => {
    const zone = await plans.defaultZoneKey(target);
    assert.match(zone, /^[0-9a-f-]{36}$/);
    const versionKey = lt.versions('Customer Core')[0]?.Key ?? '';
    const key = await plans.create(
      {
        ApplicationOperations: [{ ApplicationVersionKey: versionKey, DeploymentZoneKey: zone }],
        Notes: 'bundle sha256 abc',
        SourceEnvironmentKey: source.Key,
        TargetEnvironmentKey: target.Key,
      },
      'the promotion',
    );
    const result = await drive(key, { start: { redeployOutdated: true, includeErrorDetails: true } });
    assert.equal(result.outcome, 'succeeded');
    assert.equal(lt.running('Pre-Production', 'Customer Core')?.version, '1.1.0');
    const start = lt.requests.find((r) => r.method === 'POST' && r.path.endsWith('/start/'));
    assert.match(start?.query ?? '', /RedeployOutdated=true&IncludeErrorDetails=true/);
  });

  it('every status and Info value as the contract says', async () => {
    const cases: [DeploymentScript, DriveResult['outcome'], RegExp][] = [
      [{ outcome: 'warnings', messages: ['Consumer X is outdated'] }, 'succeeded', /Consumer X is outdated/],
      [{ outcome: 'errors', messages: ['Module Inv failed'] }, 'failed', /finished .* with errors: Module Inv failed/],
      [{ outcome: 'aborted' }, 'failed', /was aborted in LifeTime/],
      [{ outcome: 'force_finished' }, 'failed', /force-finished/],
      [
        { outcome: 'intervention', info: 'business_process_impact' },
        'failed',
        /business process impact.*Info "business_process_impact"/,
      ],
      [
        { outcome: 'intervention', info: 'needs_configuration_or_confirmation' },
        'failed',
        /settings or a confirmation/,
      ],
      [{ outcome: 'intervention', info: 'deployment_suspended' }, 'failed', /suspended/],
    ];
    for (const [script, outcome, text] of cases) {
      const key = await upload(script);
      const result = await drive(key);
      assert.equal(result.outcome, outcome, script.outcome);
      const said =
        result.outcome === 'failed' ? result.reason : result.outcome === 'succeeded' ? result.warnings.join() : '';
      assert.match(said, text);
      if (result.outcome === 'failed') assert.ok(result.reason.includes(key), 'names the plan key');
    }
    const waiting = lt.deployments().filter((d) => d.status === 'needs_user_intervention');
    assert.equal(waiting.length, 3, 'an intervention other than a prepared two-step plan is never continued');
    assert.ok(waiting.every((d) => !d.commands.includes('continue')));
  });

  it('a prepared two-step plan is continued, or left prepared when told to stop', async () => {
    await lt.close();
    await start({ deployments: { stepMs: 20, twoStepEnvironments: ['Pre-Production'] } });
    const stopped = await drive(await upload(), { twoStep: 'stop' });
    assert.equal(stopped.outcome, 'prepared');
    const continued = await drive(lt.deployments()[0]?.key ?? '');
    assert.equal(continued.outcome, 'succeeded');
    assert.deepEqual(lt.deployments()[0]?.commands, ['start', 'continue']);
  });

  it('a conflict fails the plan and deletes it', async () => {
    const key = await upload({ outcome: 'conflict', message: 'Inventory needs Legacy API' });
    const result = failedOf(await drive(key));
    assert.deepEqual(result.conflicts, ['Inventory needs Legacy API']);
    assert.match(result.reason, /the plan was deleted/);
    assert.deepEqual(lt.deployments()[0]?.commands, ['delete']);
  });

  it('a timeout aborts when LifeTime allows it, and says the plan goes on when it does not', async () => {
    const preparing = failedOf(
      await drive(await upload({ outcome: 'hang', phase: 'preparing' }), {
        deadline: Date.now() + 600,
        limitText: '0.01 minute(s)',
      }),
    );
    assert.match(preparing.reason, /did not finish within 0.01 minute\(s\); the plan was aborted/);
    assert.deepEqual(lt.deployments()[0]?.commands, ['start', 'abort']);
    const deploying = failedOf(
      await drive(await upload({ outcome: 'hang', phase: 'deploying' }), { deadline: Date.now() + 600 }),
    );
    assert.equal(deploying.stillRunning, true);
    assert.match(deploying.reason, /no longer allows aborting it.*goes on in LifeTime/);
  });

  it('a cancellation aborts the plan, with a request of its own after the task signal fired', async () => {
    const controller = new AbortController();
    const key = await upload({ outcome: 'hang', phase: 'preparing' });
    const running = drive(key, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    assert.match(failedOf(await running).reason, /cancelled; the plan was aborted/);
    assert.deepEqual(lt.deployments()[0]?.commands, ['start', 'abort']);
  });

  it('an upload whose answer was lost: outcome unknown, and the plan is found again in the list', async () => {
    const before = new Date();
    const earlier = await upload();
    lt.injectFault({ kind: 'reset-after-request', method: 'POST', path: '/deployment' });
    await assert.rejects(upload(), LifeTimeOutcomeUnknownError);
    const inventory = lt.deployments()[0]?.applications[0]?.key ?? '';
    const found = await findPlans(plans, {
      targetEnvironmentKey: target.Key,
      since: before,
      applicationKeys: [inventory],
      exclude: [earlier],
    });
    assert.deepEqual(
      found.map((p) => p.Key),
      [lt.deployments()[1]?.key],
    );
    assert.deepEqual(
      await findPlans(plans, { targetEnvironmentKey: source.Key, since: before, applicationKeys: [inventory] }),
      [],
    );
    assert.equal(lt.deployments().length, 2);
  });
});
