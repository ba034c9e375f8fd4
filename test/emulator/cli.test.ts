import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '../../shared/lifetime/types';
import { repoRoot } from '../../tools/paths';
import { scenarioSpecs } from '../../tools/emulator/cli';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { jsonBody, rawRequest } from '../../tools/emulator/httpRequest';

describe('LifeTime emulator: scenarios for the CLI', () => {
  const demo: unknown = JSON.parse(
    fs.readFileSync(path.join(repoRoot, 'tools', 'emulator', 'scenarios', 'demo.json'), 'utf8'),
  );

  it('reads a two-LifeTime scenario, a single spec, and refuses anything else', () => {
    const specs = scenarioSpecs(demo);
    assert.deepEqual(
      specs.map(([label]) => label),
      ['development', 'production'],
    );
    const single = specs[1]?.[1];
    assert.deepEqual(
      scenarioSpecs(single).map(([label]) => label),
      ['lifetime'],
    );
    assert.throws(() => scenarioSpecs({ development: { token: 'x' } }), /"development" is not an emulator spec/);
    assert.throws(() => scenarioSpecs({}), /neither/);
    assert.throws(() => scenarioSpecs('text'), /not a JSON object/);
  });

  it('serves the demo estate: dependency chain, platform producers, production host names', async () => {
    const specs = scenarioSpecs(demo);
    const dev = specs[0]?.[1];
    const prod = specs[1]?.[1];
    assert.ok(dev && prod);
    const development = await LifeTimeEmulator.start(dev);
    const production = await LifeTimeEmulator.start(prod);
    try {
      const probe = await rawRequest(
        `${development.url}/CI_CDProbe/rest/v1/GetApplicationDependencies?ApplicationName=Backoffice&ApplicationVersion=1.0.0`,
      );
      assert.deepEqual(
        (jsonBody(probe) as { ApplicationName: string }[]).map((p) => p.ApplicationName),
        ['Customer Portal', 'Customer Core', 'Service Center'],
      );
      assert.equal(development.running('Acceptance', 'Customer Portal')?.version, '2.1.0');
      assert.equal(
        production.application('Customer Core')?.key,
        development.application('Customer Core')?.key,
        'one application keeps its key (its UID) in both LifeTimes',
      );
      const envs = jsonBody(
        await rawRequest(`${production.apiBase}/environments`, {
          headers: { Authorization: 'Bearer demo-production-token' },
        }),
      ) as Environment[];
      assert.deepEqual(
        envs.map((e) => [e.Name, e.HostName]),
        [
          ['Pre-Production', 'preprod.example.com'],
          ['Production', 'prod.example.com'],
        ],
      );
      assert.equal(production.application('Backoffice'), undefined, 'Backoffice is new to production');
    } finally {
      await Promise.all([development.close(), production.close()]);
    }
  });
});
