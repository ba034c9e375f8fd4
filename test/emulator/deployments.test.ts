import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Environment, LifeTimeErrorBody } from '../../shared/lifetime/types';
import { LifeTimeEmulator, type DeploymentScript } from '../../tools/emulator/emulator';
import { jsonBody, rawRequest, type RawResponse } from '../../tools/emulator/httpRequest';
import { developmentNetwork } from '../../tools/emulator/estateSpec';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';

const bearer = { Authorization: `Bearer ${testToken}` };

interface Status {
  DeploymentStatus: string;
  Info: string;
  DeploymentLog: { Message: string; Type: string }[];
}

describe('LifeTime emulator: deployment plans', function () {
  this.timeout(30_000);
  let lt: LifeTimeEmulator;
  let env: Record<string, string>;

  const request = (method: string, path: string, body?: unknown): Promise<RawResponse> =>
    rawRequest(lt.apiBase + path, {
      method,
      headers: { ...bearer, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const upload = (envKey: string, bytes: Buffer): Promise<RawResponse> =>
    rawRequest(`${lt.apiBase}/environments/${envKey}/deployment/`, {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
  const corePackage = (): Buffer => fs.readFileSync(lt.packagePath('Customer Core', '1.1.0'));
  const status = async (key: string): Promise<Status> =>
    jsonBody(await request('GET', `/deployments/${key}/status/`)) as Status;
  async function until(key: string, done: (s: Status) => boolean): Promise<Status> {
    for (let i = 0; i < 1000; i++) {
      const s = await status(key);
      if (done(s)) return s;
      await sleep(10);
    }
    throw new Error(`deployment ${key} never reached the state waited for: ${JSON.stringify(await status(key))}`);
  }
  const settled = (s: Status): boolean => !['saved', 'running', 'aborting'].includes(s.DeploymentStatus);
  async function binaryPlan(script?: DeploymentScript): Promise<string> {
    if (script) lt.scriptDeployment('Customer Core', script);
    const res = await upload(env.Production ?? '', corePackage());
    assert.equal(res.status, 201, res.body.toString());
    return (jsonBody(res) as { DeploymentKey: string }).DeploymentKey;
  }
  const command = (key: string, name: string): Promise<RawResponse> => request('POST', `/deployments/${key}/${name}/`);

  beforeEach(async () => {
    lt = await LifeTimeEmulator.start(
      developmentSpec({
        environments: [
          ...developmentNetwork(),
          { name: 'Production', hostName: 'www.example.com', type: 'Production' },
        ],
        deployments: { stepMs: 15 },
      }),
    );
    const envs = jsonBody(await request('GET', '/environments/')) as Environment[];
    env = Object.fromEntries(envs.map((e) => [e.Name ?? '', e.Key ?? '']));
  });
  afterEach(() => lt.close());

  it('a binary: reads the package to learn the application, runs with a growing log, and the target then runs it', async () => {
    const bytes = corePackage();
    const key = await binaryPlan();
    const details = jsonBody(await request('GET', `/deployments/${key}/`)) as {
      ApplicationsToDeploy: { ApplicationName: string; IsNew: boolean }[];
      ApplicationConflicts: unknown[];
    };
    assert.deepEqual(
      details.ApplicationsToDeploy.map((a) => [a.ApplicationName, a.IsNew]),
      [['Customer Core', true]],
    );
    assert.deepEqual(details.ApplicationConflicts, []);
    assert.equal((await status(key)).DeploymentStatus, 'saved');
    assert.equal((await command(key, 'start')).status, 202);
    const lengths = new Set<number>();
    const end = await until(key, (s) => {
      lengths.add(s.DeploymentLog.length);
      return settled(s);
    });
    assert.equal(end.DeploymentStatus, 'finished_successful');
    assert.ok(lengths.size >= 3, `the log grew while it ran (${[...lengths].join(', ')})`);
    assert.deepEqual(lt.running('Production', 'Customer Core')?.modified, true);
    const [record] = lt.deployments();
    assert.ok(record);
    assert.equal(record.origin, 'binary');
    assert.equal(record.applications[0]?.binarySha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(record.commands, ['start']);
  });

  it('answers the new key as {"DeploymentKey"}, as plain text or as a JSON string, as told', async () => {
    for (const form of ['object', 'text', 'json-string'] as const) {
      lt.setDeploymentKeyAnswer(form);
      const res = await upload(env.Production ?? '', corePackage());
      assert.equal(res.status, 201);
      const text = res.body.toString('utf8');
      const key = lt.deployments().at(-1)?.key ?? '';
      const expected = {
        object: JSON.stringify({ DeploymentKey: key }),
        text: key,
        'json-string': JSON.stringify(key),
      }[form];
      assert.equal(text, expected);
    }
  });

  it('refuses a body that is not a package (400) and an unknown environment (404), creating nothing', async () => {
    const bad = await upload(env.Production ?? '', Buffer.from('not a zip'));
    assert.equal(bad.status, 400);
    assert.match((jsonBody(bad) as LifeTimeErrorBody).Errors?.[0] ?? '', /not an OutSystems application package/);
    assert.equal((await upload('00000000-0000-0000-0000-000000000000', corePackage())).status, 404);
    assert.deepEqual(lt.deployments(), []);
  });

  it('a plan between environments with the default zone: the target then runs that tagged version', async () => {
    const zones = jsonBody(await request('GET', `/environments/${env.Production}/deploymentzones/`)) as {
      Key: string;
      IsDefault: boolean;
    }[];
    const zone = zones.find((z) => z.IsDefault)?.Key ?? '';
    const versionKey = lt.versions('Customer Portal')[0]?.Key ?? '';
    const body = {
      ApplicationOperations: [{ ApplicationVersionKey: versionKey, DeploymentZoneKey: zone }],
      Notes: 'release 42',
      SourceEnvironmentKey: env.Acceptance,
      TargetEnvironmentKey: env.Production,
    };
    const created = await request('POST', '/deployments/', body);
    assert.equal(created.status, 200);
    const key = created.body.toString('utf8');
    assert.match(key, /^[0-9a-f-]{36}$/, 'the key as text');
    assert.equal((await command(key, 'start')).status, 202);
    assert.equal((await until(key, settled)).DeploymentStatus, 'finished_successful');
    assert.deepEqual(lt.running('Production', 'Customer Portal'), { versionKey, version: '2.0.0', modified: false });
    const wrongZone = {
      ...body,
      ApplicationOperations: [{ ApplicationVersionKey: versionKey, DeploymentZoneKey: 'nope' }],
    };
    assert.equal((await request('POST', '/deployments/', wrongZone)).status, 400);
    assert.equal((await request('POST', '/deployments/', { ...body, Notes: undefined })).status, 400);
    assert.equal(
      (
        await request('POST', '/deployments/', {
          ...body,
          TargetEnvironmentKey: '00000000-0000-0000-0000-000000000000',
        })
      ).status,
      404,
    );
    assert.equal(lt.deployments().length, 1);
  });

  it("keeps LifeTime's command rules: 400 where a command is not allowed, 404 for an unknown one", async () => {
    const key = await binaryPlan({ outcome: 'hang', phase: 'deploying' });
    assert.equal((await command(key, 'abort')).status, 400, 'a saved plan is deleted, not aborted');
    assert.equal((await command(key, 'continue')).status, 400);
    assert.equal((await command(key, 'restart')).status, 404);
    assert.equal((await command(key, 'start')).status, 202);
    assert.equal((await command(key, 'start')).status, 400);
    assert.equal((await request('DELETE', `/deployments/${key}/`)).status, 400, 'only a saved plan can be deleted');
    await until(key, () => lt.deployments()[0]?.log.some((m) => m.startsWith('Deploying')) === true);
    const refused = await command(key, 'abort');
    assert.equal(refused.status, 400, 'abort is refused once the platform server deploys');
    assert.match((jsonBody(refused) as LifeTimeErrorBody).Errors?.[0] ?? '', /already being deployed/);

    const saved = await binaryPlan();
    assert.equal((await request('DELETE', `/deployments/${saved}/`)).status, 204);
    assert.equal((await request('GET', `/deployments/${saved}/`)).status, 404);
    assert.equal(lt.deployments().find((d) => d.key === saved)?.deleted, true);
  });

  it('a timeout-style abort while preparing is accepted and ends aborted, with nothing deployed', async () => {
    const key = await binaryPlan({ outcome: 'hang', phase: 'preparing' });
    await command(key, 'start');
    assert.equal((await command(key, 'abort')).status, 202);
    assert.equal((await until(key, settled)).DeploymentStatus, 'aborted');
    assert.equal(lt.running('Production', 'Customer Core'), undefined);
    assert.deepEqual(lt.deployments()[0]?.commands, ['start', 'abort']);
  });

  it('a two-step environment stops at deployment_prepared, where abort and continue are allowed', async () => {
    await lt.close();
    lt = await LifeTimeEmulator.start(
      developmentSpec({ deployments: { stepMs: 15, twoStepEnvironments: ['Acceptance'] } }),
    );
    const envs = jsonBody(await request('GET', '/environments/')) as Environment[];
    const acc = envs.find((e) => e.Name === 'Acceptance')?.Key ?? '';
    const key = (jsonBody(await upload(acc, corePackage())) as { DeploymentKey: string }).DeploymentKey;
    await command(key, 'start');
    const prepared = await until(key, (s) => s.DeploymentStatus !== 'running');
    assert.deepEqual([prepared.DeploymentStatus, prepared.Info], ['needs_user_intervention', 'deployment_prepared']);
    assert.equal((await command(key, 'continue')).status, 202);
    assert.equal((await until(key, settled)).DeploymentStatus, 'finished_successful');
  });

  it('conflicts: listed in the details, start refused, the plan can be deleted', async () => {
    const key = await binaryPlan({ outcome: 'conflict', message: 'Customer Core needs Legacy API 2.0' });
    const details = jsonBody(await request('GET', `/deployments/${key}/`)) as {
      ApplicationConflicts: { Message: string }[];
    };
    assert.deepEqual(
      details.ApplicationConflicts.map((c) => c.Message),
      ['Customer Core needs Legacy API 2.0'],
    );
    assert.equal((await command(key, 'start')).status, 400);
    assert.equal((await request('DELETE', `/deployments/${key}/`)).status, 204);
  });

  it('interventions with each Info, continued; errors, warnings, a person aborting, force finished', async () => {
    for (const info of [
      'business_process_impact',
      'needs_configuration_or_confirmation',
      'deployment_suspended',
    ] as const) {
      const key = await binaryPlan({ outcome: 'intervention', info });
      await command(key, 'start');
      const waiting = await until(key, (s) => s.DeploymentStatus !== 'running');
      assert.deepEqual([waiting.DeploymentStatus, waiting.Info], ['needs_user_intervention', info]);
      assert.equal((await command(key, 'continue')).status, 202);
      assert.equal((await until(key, settled)).DeploymentStatus, 'finished_successful', info);
    }
    const outcomes: [DeploymentScript, string, string | undefined][] = [
      [{ outcome: 'errors', messages: ['Module CoreServices failed to compile'] }, 'finished_with_errors', 'Error'],
      [{ outcome: 'warnings', messages: ['Consumer Backoffice is outdated'] }, 'finished_with_warnings', 'Warning'],
      [{ outcome: 'aborted' }, 'aborted', undefined],
      [{ outcome: 'force_finished' }, 'force_finished', undefined],
    ];
    for (const [script, expected, type] of outcomes) {
      const key = await binaryPlan(script);
      await command(key, 'start');
      const end = await until(key, settled);
      assert.equal(end.DeploymentStatus, expected);
      if (type !== undefined && 'messages' in script) {
        assert.ok(end.DeploymentLog.some((l) => l.Type === type && l.Message === script.messages?.[0]));
      }
    }
  });

  it('the list: date filters (default the last week), target filter, plans of others', async () => {
    const ours = await binaryPlan();
    const theirs = lt.addDeployment({
      targetEnvironment: 'Production',
      sourceEnvironment: 'Acceptance',
      applications: [{ name: 'Customer Portal', version: '2.0.0' }],
      status: 'running',
    });
    const old = lt.addDeployment({
      targetEnvironment: 'Acceptance',
      applications: [{ name: 'Customer Core', version: '1.0.0' }],
      status: 'saved',
      createdOn: new Date(Date.now() - 10 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    const keys = async (query: string): Promise<string[] | number> => {
      const res = await request('GET', `/deployments/${query}`);
      return res.status === 200 ? (jsonBody(res) as { Key: string }[]).map((d) => d.Key) : res.status;
    };
    assert.deepEqual(await keys(''), [ours, theirs]);
    const elevenDaysAgo = new Date(Date.now() - 11 * 86_400_000).toISOString().slice(0, 10);
    assert.deepEqual(await keys(`?MinDate=${elevenDaysAgo}`), [ours, theirs, old]);
    assert.deepEqual(await keys(`?MinDate=${elevenDaysAgo}&TargetEnvironmentKey=${env.Acceptance}`), [old]);
    assert.equal(await keys('?TargetEnvironmentKey=00000000-0000-0000-0000-000000000000'), 204);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const later = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    assert.equal(await keys(`?MinDate=${tomorrow}&MaxDate=${later}`), 204);
    assert.equal(await keys('?MinDate=yesterday'), 400);
    assert.equal(await keys(`?MinDate=${tomorrow}&MaxDate=${elevenDaysAgo}`), 400);
    const list = jsonBody(await request('GET', '/deployments/')) as { Key: string; CreatedBy: string }[];
    assert.equal(list.find((d) => d.Key === theirs)?.CreatedBy, 'Jane Operator');
    assert.equal((await status(theirs)).DeploymentStatus, 'running');
  });

  it('a dropped answer: the connection breaks after the upload was processed, and the plan exists', async () => {
    lt.injectFault({ kind: 'reset-after-request', method: 'POST', path: '/deployment' });
    await assert.rejects(upload(env.Production ?? '', corePackage()));
    assert.equal(lt.deployments().length, 1);
    assert.equal(lt.deployments()[0]?.status, 'saved');
  });

  it('answers 501 for a path the Swagger file describes but the emulator does not serve, 404 for others', async () => {
    const key = await binaryPlan();
    assert.equal((await request('GET', `/deployments/${key}/getmissingdbmappings/`)).status, 501);
    assert.equal((await request('PUT', `/deployments/${key}/`, {})).status, 501);
    const running = `/environments/${env.Acceptance}/applications/${lt.application('Customer Core')?.key}/content/`;
    assert.equal((await request('GET', running)).status, 501);
    assert.equal((await request('GET', '/no-such-thing/')).status, 404);
  });
});
