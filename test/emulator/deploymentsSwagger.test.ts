import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Environment } from '../../shared/lifetime/types';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { jsonBody, rawRequest, type RawResponse } from '../../tools/emulator/httpRequest';
import { SwaggerResponses } from '../../tools/emulator/swaggerResponses';
import { developmentSpec, testToken } from '../../tools/emulator/testSpec';

const bearer = { Authorization: `Bearer ${testToken}` };

describe('LifeTime emulator: deployment responses against the vendor Swagger file', function () {
  this.timeout(30_000);
  const swagger = new SwaggerResponses();
  let lt: LifeTimeEmulator;
  let acc: string;
  let dev: string;
  const checked = new Set<string>();

  before(async () => {
    lt = await LifeTimeEmulator.start(developmentSpec({ deployments: { stepMs: 10 } }));
    // A JSON string validates against the `string` schema the Swagger file gives POST /deployments/.
    lt.setDeploymentKeyAnswer('json-string', 'versions');
    const envs = jsonBody(await rawRequest(`${lt.apiBase}/environments/`, { headers: bearer })) as Environment[];
    acc = envs.find((e) => e.Name === 'Acceptance')?.Key ?? '';
    dev = envs.find((e) => e.Name === 'Development')?.Key ?? '';
  });
  after(() => lt.close());

  async function conforms(
    method: string,
    path: string,
    expected: number,
    body?: unknown,
    binary?: Buffer,
  ): Promise<RawResponse> {
    const res = await rawRequest(lt.apiBase + path, {
      method,
      headers: { ...bearer, 'Content-Type': binary ? 'application/octet-stream' : 'application/json' },
      ...(binary ? { body: binary } : body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, expected, `${method} ${path}: ${res.body.toString().slice(0, 200)}`);
    const contract = swagger.contract(method, path, res.status);
    assert.ok(contract?.documented, `${method} ${path} documents ${res.status}`);
    if (contract.validate === undefined || contract.validateClosed === undefined) {
      assert.equal(res.body.length, 0, `${method} ${contract.pathKey} ${res.status} has no body`);
    } else {
      const value = jsonBody(res);
      assert.ok(contract.validate(value), `${method} ${path}: ${JSON.stringify(contract.validate.errors)}`);
      assert.ok(contract.validateClosed(value), `${method} ${path}: ${JSON.stringify(contract.validateClosed.errors)}`);
    }
    checked.add(`${method} ${contract.pathKey} ${res.status}`);
    return res;
  }

  it('every deployment endpoint and status the emulator produces has the documented shape', async () => {
    const pkg = fs.readFileSync(lt.packagePath('Customer Core', '1.1.0'));
    const zones = jsonBody(await conforms('GET', `/environments/${dev}/deploymentzones/`, 200)) as { Key: string }[];
    await conforms('GET', '/environments/00000000-0000-0000-0000-000000000000/deploymentzones/', 404);
    const binary = jsonBody(await conforms('POST', `/environments/${dev}/deployment/`, 201, undefined, pkg)) as {
      DeploymentKey: string;
    };
    await conforms('POST', `/environments/${dev}/deployment/`, 400, undefined, Buffer.from('no zip'));
    await conforms('POST', '/environments/00000000-0000-0000-0000-000000000000/deployment/', 404, undefined, pkg);
    const versionKey = lt.versions('Customer Portal')[0]?.Key ?? '';
    const create = {
      ApplicationOperations: [{ ApplicationVersionKey: versionKey, DeploymentZoneKey: zones[0]?.Key ?? '' }],
      Notes: 'n',
      SourceEnvironmentKey: acc,
      TargetEnvironmentKey: dev,
    };
    const between = jsonBody(await conforms('POST', '/deployments/', 200, create)) as string;
    await conforms('POST', '/deployments/', 400, { Notes: 'n' });
    await conforms('POST', '/deployments/', 404, { ...create, SourceEnvironmentKey: 'nope' });
    await conforms('GET', '/deployments/', 200);
    await conforms('GET', '/deployments/?MinDate=2001-01-01&MaxDate=2001-01-02', 204);
    await conforms('GET', '/deployments/?MinDate=bad', 400);
    await conforms('GET', `/deployments/${binary.DeploymentKey}/`, 200);
    await conforms('GET', '/deployments/00000000-0000-0000-0000-000000000000/', 404);
    await conforms('GET', `/deployments/${binary.DeploymentKey}/status/`, 200);
    await conforms('GET', '/deployments/00000000-0000-0000-0000-000000000000/status/', 404);
    await conforms('POST', `/deployments/${binary.DeploymentKey}/start/`, 202);
    await conforms('POST', `/deployments/${binary.DeploymentKey}/start/`, 400);
    await conforms('POST', `/deployments/${binary.DeploymentKey}/restart/`, 404);
    await conforms('DELETE', `/deployments/${binary.DeploymentKey}/`, 400);
    await conforms('DELETE', `/deployments/${between}/`, 204);
    await conforms('DELETE', `/deployments/${between}/`, 404);
    // A finished plan's status and details, with its whole log and dates set.
    for (let i = 0; i < 200; i++) {
      const s = jsonBody(await conforms('GET', `/deployments/${binary.DeploymentKey}/status/`, 200)) as {
        DeploymentStatus: string;
      };
      if (s.DeploymentStatus === 'finished_successful') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await conforms('GET', `/deployments/${binary.DeploymentKey}/`, 200);
    await conforms('GET', '/deployments/', 200);
    assert.equal(checked.size, 21);
  });
});
