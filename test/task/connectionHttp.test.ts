import * as assert from 'node:assert/strict';
import { isLoopbackHost } from '../../shared/http/secureUrl';
import { bundledTaskEntry } from '../../tools/paths';
import { fixtureTaskEntry, runTaskEntry, type TaskRun } from '../../tools/agent/taskRunner';

const TOKEN = 'lt-token-http-3b9d7e1a5c';

function readConnection(url: string): Promise<TaskRun> {
  return runTaskEntry(fixtureTaskEntry, { inputs: { mode: 'connection' }, connection: { url, token: TOKEN } });
}

describe('a LifeTime service connection on plain http (fixture task)', () => {
  it('is refused for a host on the network, naming the connection and asking for https', async () => {
    const run = await readConnection('http://lt.internal:8080/');
    assert.equal(run.result?.status, 'Failed');
    assert.match(
      run.result.message,
      /^The service connection '.+' \(input 'lifeTimeConnection'\) has an http:\/\/ server URL \(http:\/\/lt\.internal:8080\): the token would travel unencrypted; use https:\/\/lt\.internal:8080\.$/,
    );
    assert.ok(!run.stdout.includes(`##vso[task.setvariable variable=serverUrl`), 'the URL was not used');
  });

  for (const url of ['http://127.0.0.1:8080', 'http://127.1.2.3', 'http://localhost:3000', 'http://[::1]:8080']) {
    it(`is accepted on this machine: ${url}`, async () => {
      const run = await readConnection(url);
      assert.equal(run.result?.status, 'Succeeded', run.result?.message);
      assert.equal(run.outputVariables['serverUrl'], url);
    });
  }

  it('https is accepted anywhere', async () => {
    const run = await readConnection('https://lifetime.example.com');
    assert.equal(run.result?.status, 'Succeeded', run.result?.message);
  });
});

describe('isLoopbackHost', () => {
  it('knows localhost, 127.0.0.0/8 and ::1, as URL spells them', () => {
    for (const url of [
      'http://localhost',
      'http://LOCALHOST:1',
      'http://127.0.0.1',
      'http://127.255.0.9:80',
      'http://[::1]',
    ]) {
      assert.equal(isLoopbackHost(new URL(url).hostname), true, url);
    }
    for (const url of [
      'http://lt.internal',
      'http://128.0.0.1',
      'http://localhost.example.com',
      'http://127.0.0.1.nip.io',
      'http://[::2]',
      'http://10.0.0.1',
    ]) {
      assert.equal(isLoopbackHost(new URL(url).hostname), false, url);
    }
  });
});

describe("the export task's probeUrl on plain http", () => {
  it('is refused for a host on the network, before anything is contacted', async () => {
    const run = await runTaskEntry(bundledTaskEntry('AirGapExport'), {
      inputs: {
        sourceEnvironment: 'Acceptance',
        applications: 'Customer Portal',
        sharePath: '/nonexistent-share',
        bundleName: 'release-1',
        dependencySource: 'probe',
        probeUrl: 'http://regression.example.com/CI_CDProbe/rest/v1',
        probeKey: 'probe-key-http-9f8e7d',
      },
      connection: { url: 'http://127.0.0.1:9', token: TOKEN },
    });
    assert.equal(run.result?.status, 'Failed');
    assert.equal(
      run.result.message,
      "Input 'probeUrl' is an http:// URL (http://regression.example.com): the probe key and the answers would travel unencrypted; use https://regression.example.com.",
    );
  });
});
