/**
 * Proves the automatic secret scan in tools/agent/taskRunner.ts: every task run in the suite is
 * searched for the token, password, probe key and PEM private key it was given, and a hit fails
 * the run (SecretLeakError) unless the test explicitly allows it, as these do to look at the hits.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTaskEntry, secretsGiven, SecretLeakError, type TaskRunOptions } from '../../tools/agent/taskRunner';
import { makeTempDir, removeTempDir } from '../../tools/tempDir';

const TOKEN = 'scan-proof-token-5d1c9e7a';
const PASSWORD = 'scan proof p@ss; ]%0A 77';
const PROBE_KEY = 'scan-proof-probe-key-31337';
const PEM = crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A "task" that prints one environment variable's value, or one line of it, as a careless task would. */
const LEAKY_TASK = `
const value = process.env[process.env.LEAK_VAR] || '';
const line = process.env.LEAK_LINE;
console.log('debugging: ' + (line === undefined ? value : value.split('\\n')[Number(line)]));
console.log('##vso[task.complete result=Succeeded;]done');
`;

describe('the automatic secret scan of every task run', function () {
  this.timeout(60_000);
  let dir: string;
  let entry: string;
  before(() => {
    dir = makeTempDir();
    entry = path.join(dir, 'leaky-task.js');
    fs.writeFileSync(entry, LEAKY_TASK);
  });
  after(() => {
    removeTempDir(dir);
  });

  const base = (): TaskRunOptions => ({
    inputs: { airGapPassword: PASSWORD, probeKey: PROBE_KEY, signingKey: PEM },
    connection: { url: 'https://lifetime.example.com', token: TOKEN },
  });

  it('takes the connection token, airGapPassword, probeKey and a PEM signingKey as the secrets given', () => {
    const body = PEM.split('\n')[1] ?? '';
    assert.deepEqual(secretsGiven(base()).sort(), [TOKEN, PASSWORD, PROBE_KEY, PEM, body].sort());
    assert.deepEqual(secretsGiven({ inputs: { signingKey: '/keys/signing.pem' } }), [], 'a key path is no secret');
  });

  const leaks: { what: string; env: Record<string, string> }[] = [
    { what: 'the password input', env: { LEAK_VAR: 'INPUT_AIRGAPPASSWORD' } },
    { what: 'the probe key input', env: { LEAK_VAR: 'INPUT_PROBEKEY' } },
    { what: 'one line of the PEM signing key', env: { LEAK_VAR: 'INPUT_SIGNINGKEY', LEAK_LINE: '1' } },
  ];
  for (const leak of leaks) {
    it(`fails the run that prints ${leak.what}, without quoting it`, async () => {
      const options = { ...base(), env: leak.env };
      await assert.rejects(runTaskEntry(entry, options), (error: unknown) => {
        assert.ok(error instanceof SecretLeakError, String(error));
        assert.match(error.message, /leaked a secret it was given: .*in stdout line \d+/);
        for (const secret of [PASSWORD, PROBE_KEY, PEM.split('\n')[1] ?? PEM]) {
          assert.ok(!error.message.includes(secret), 'the error does not quote the secret');
        }
        return true;
      });
      const allowed = await runTaskEntry(entry, { ...options, allowSecretLeaks: true });
      assert.equal(allowed.secretLeaks?.length, 1, 'the hit is reported when explicitly allowed');
    });
  }

  it('fails the run that prints the connection token', async () => {
    // The entry cannot know the random endpoint id; it prints the token from a variable of its own.
    const leaking = runTaskEntry(entry, { ...base(), env: { LEAK_VAR: 'COPY_OF_TOKEN', COPY_OF_TOKEN: TOKEN } });
    await assert.rejects(leaking, SecretLeakError);
  });

  it('lets a clean run through', async () => {
    const run = await runTaskEntry(entry, { ...base(), env: { LEAK_VAR: 'HOME' } });
    assert.deepEqual(run.secretLeaks, []);
    assert.equal(run.result?.status, 'Succeeded');
  });
});
