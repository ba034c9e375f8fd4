import * as assert from 'node:assert/strict';
import { HttpClient } from '../../shared/http/client';
import { defaultHttpSettings } from '../../shared/http/settings';
import { ProbeClient, ProbeError } from '../../shared/lifetime/probe';
import { LifeTimeEmulator } from '../../tools/emulator/emulator';
import { developmentSpec } from '../../tools/emulator/testSpec';

const PROBE_KEY = 'probe-key-7d41a9c0';

function http(): HttpClient {
  return new HttpClient(defaultHttpSettings({ timeoutMs: 2000, retries: 1, backoffBaseMs: 1, backoffMaxMs: 5 }));
}

async function probeFailure(promise: Promise<unknown>): Promise<ProbeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProbeError, String(error));
    assert.ok(!error.message.includes(PROBE_KEY));
    return error;
  }
  assert.fail('expected a ProbeError');
}

describe('ProbeClient against the emulator', () => {
  let emulator: LifeTimeEmulator;
  before(async () => {
    emulator = await LifeTimeEmulator.start(developmentSpec({ probeKey: PROBE_KEY }));
  });
  after(() => emulator.close());

  it('returns the producer application keys, from the probe host or its full API URL', async () => {
    const expected = ['Customer Core', 'Service Center'].map((name) => emulator.application(name)?.key).sort();
    for (const baseUrl of [emulator.url, `${emulator.url}/`, `${emulator.url}/CI_CDProbe/rest/v1/`]) {
      const probe = new ProbeClient({ baseUrl, key: PROBE_KEY, http: http() });
      assert.equal(probe.base, `${emulator.url}/CI_CDProbe/rest/v1`);
      const keys = await probe.getApplicationDependencies('Customer Portal', '2.0.0');
      assert.deepEqual([...keys].sort(), expected);
    }
    const last = emulator.requests.at(-1);
    assert.equal(last?.path, '/CI_CDProbe/rest/v1/GetApplicationDependencies');
    assert.equal(last.query, 'ApplicationName=Customer+Portal&ApplicationVersion=2.0.0');
  });

  it('says a key is needed when none was given', async () => {
    const probe = new ProbeClient({ baseUrl: emulator.url, http: http() });
    const error = await probeFailure(probe.getApplicationDependencies('Customer Portal', '2.0.0'));
    assert.equal(
      error.message,
      `the CI/CD Probe ${emulator.url} answered 401 when asked for the producers of application "Customer Portal" version 2.0.0: the probe requires a key (probeKey)`,
    );
  });

  it('says the key was refused, without printing it', async () => {
    const probe = new ProbeClient({ baseUrl: emulator.url, key: `${PROBE_KEY}-old`, http: http() });
    const error = await probeFailure(probe.getApplicationDependencies('Customer Portal', '2.0.0'));
    assert.match(error.message, /the probe refused the key/);
    assert.equal(error.status, 401);
  });

  it('names the application and version the probe does not know', async () => {
    const probe = new ProbeClient({ baseUrl: emulator.url, key: PROBE_KEY, http: http() });
    const error = await probeFailure(probe.getApplicationDependencies('Billing', '9.9'));
    assert.match(error.message, /answered 404 when asked for the producers of application "Billing" version 9\.9/);
  });

  it('reads an empty answer as no producers and refuses a non-JSON one', async () => {
    const probe = new ProbeClient({ baseUrl: emulator.url, key: PROBE_KEY, http: http() });
    emulator.injectFault({ path: '/GetApplicationDependencies', kind: 'status', status: 200, rawBody: '' });
    assert.deepEqual(await probe.getApplicationDependencies('Customer Portal', '2.0.0'), []);
    emulator.injectFault({ path: '/GetApplicationDependencies', kind: 'non-json-body' });
    const error = await probeFailure(probe.getApplicationDependencies('Customer Portal', '2.0.0'));
    assert.match(error.message, /did not answer JSON/);
  });
});
