import * as assert from 'node:assert/strict';
import { findSecretLeaks } from '../../tools/agent/secretScan';
import { fixtureTaskEntry, runTaskEntry, startTaskEntry, type TaskRunOptions } from '../../tools/agent/taskRunner';

const PASSWORD = 'Pa55 w;rd]%0A"$(whoami)';
const TOKEN = 'lt-token-7c2f0e1d9b8a';
const PEM =
  '-----BEGIN PRIVATE KEY-----\n' +
  'MC4CAQAwBQYDK2VwBCIEIGq0Wc9n1Z5P1tHk3o8Zr0Yk2b4mJ0vXcT1QeYl8sA9B\n' +
  '-----END PRIVATE KEY-----\n';
const PEM_BODY = 'MC4CAQAwBQYDK2VwBCIEIGq0Wc9n1Z5P1tHk3o8Zr0Yk2b4mJ0vXcT1QeYl8sA9B';

// System.Debug on: task-lib then prints every input it reads, which is where secrets used to leak.
function options(mode: string, extra: Partial<TaskRunOptions> = {}): TaskRunOptions {
  return {
    inputs: { mode, airGapPassword: PASSWORD, signingKey: PEM, ...extra.inputs },
    connection: { url: 'https://lifetime.example.com/', token: TOKEN },
    variables: { 'System.Debug': 'true' },
    ...extra,
    ...(extra.inputs ? { inputs: { mode, airGapPassword: PASSWORD, signingKey: PEM, ...extra.inputs } } : {}),
  };
}

describe('shared/task through a real task process (fixture task)', () => {
  it('reads secrets and the connection without printing them, even when the code echoes them', async () => {
    const run = await runTaskEntry(fixtureTaskEntry, options('read-secrets'));
    assert.deepEqual(run.result, {
      status: 'Succeeded',
      message: 'Read the connection to https://lifetime.example.com',
    });
    assert.deepEqual(findSecretLeaks(run, [PASSWORD, TOKEN, PEM]), []);
    assert.ok(run.secrets.includes(PASSWORD), 'the password is registered with the agent');
    assert.ok(run.secrets.includes(TOKEN), 'the token is registered with the agent');
    assert.ok(run.secrets.includes(PEM_BODY), 'the PEM body line is registered with the agent');
    assert.ok(!run.secrets.some((s) => s.includes('BEGIN')), 'PEM markers are not registered');
    assert.ok(run.stdout.includes('##vso[task.debug]airGapPassword=***'), 'the getInput echo was scrubbed');
    assert.equal(run.outputVariables['serverUrl'], 'https://lifetime.example.com');
    assert.equal(run.outputVariables['endpointId'], run.endpointId);
    assert.equal(run.outputVariables['passwordLength'], String(PASSWORD.length));
    assert.equal(run.outputVariables['keyLines'], '3');
  });

  it('registers each secret before anything could print it', async () => {
    const run = await runTaskEntry(fixtureTaskEntry, options('read-secrets'));
    const lines = run.stdout.split(/\r?\n/);
    const registered = lines.findIndex((l) => l.startsWith('##vso[task.setsecret]') && l.includes('lt-token'));
    const urlDebug = lines.findIndex((l) => l.includes('=https://lifetime.example.com/'));
    assert.ok(registered !== -1 && urlDebug !== -1 && registered < urlDebug, 'token registered before the URL is read');
  });

  it('is what the leak scan catches when a task reads a secret input through tl.getInput', async () => {
    // The one deliberate leak in the suite, let through so the hit itself can be asserted.
    const run = await runTaskEntry(fixtureTaskEntry, options('unsafe-getinput', { allowSecretLeaks: true }));
    assert.equal(run.result?.status, 'Succeeded');
    assert.equal(run.secretLeaks?.length, 1, 'the runner found it too');
    const leaks = findSecretLeaks(run, [PASSWORD]);
    assert.equal(leaks.length, 1);
    assert.match(leaks[0] ?? '', /secret #1 in stdout line \d+ \(##vso\[task\.debug\]\)/);
  });

  it('reads the token from the ENDPOINT_AUTH JSON when the parameter variable is absent', async () => {
    const run = await runTaskEntry(fixtureTaskEntry, {
      ...options('connection'),
      connection: { url: 'https://lt.internal:8443', token: TOKEN, tokenIn: 'json' },
    });
    assert.equal(run.result?.status, 'Succeeded');
    assert.equal(run.outputVariables['serverUrl'], 'https://lt.internal:8443');
    assert.ok(run.secrets.includes(TOKEN));
    assert.deepEqual(findSecretLeaks(run, [TOKEN]), []);
  });

  it('fails on an unparsable authorization without printing any of it', async () => {
    const broken = `{"scheme":"Token","parameters":{"apitoken":"${TOKEN}"`;
    const run = await runTaskEntry(fixtureTaskEntry, {
      ...options('connection'),
      connection: { url: 'https://lifetime.example.com', token: TOKEN, tokenIn: 'json', rawAuthorization: broken },
    });
    assert.equal(run.result?.status, 'Failed');
    assert.match(run.result.message, /service connection '.+' \(input 'lifeTimeConnection'\) .*not valid JSON/);
    assert.deepEqual(findSecretLeaks(run, [TOKEN, broken]), []);
  });

  it('names the service connection when its token or an http(s) URL is missing', async () => {
    const noToken = await runTaskEntry(fixtureTaskEntry, {
      ...options('connection'),
      connection: {
        url: 'https://lt.example.com',
        token: '',
        tokenIn: 'json',
        rawAuthorization: '{"scheme":"Token","parameters":{}}',
      },
    });
    assert.equal(noToken.result?.status, 'Failed');
    assert.equal(noToken.result.message.includes(`service connection '${noToken.endpointId ?? '?'}'`), true);
    assert.match(noToken.result.message, /has no API token/);

    const ftp = await runTaskEntry(fixtureTaskEntry, {
      ...options('connection'),
      connection: { url: 'ftp://lt.example.com', token: TOKEN },
    });
    assert.equal(ftp.result?.status, 'Failed');
    assert.match(ftp.result.message, /must have an http\(s\) server URL, not 'ftp:'/);
    assert.deepEqual(findSecretLeaks(ftp, [TOKEN]), []);

    const { connection: _none, ...withoutConnection } = options('connection');
    const missing = await runTaskEntry(fixtureTaskEntry, withoutConnection);
    assert.equal(missing.result?.status, 'Failed');
    assert.match(missing.result.message, /Input 'lifeTimeConnection' is required/);
  });

  it('turns an error into Failed with its message only, the stack only in debug, secrets scrubbed', async () => {
    const run = await runTaskEntry(fixtureTaskEntry, options('fail'));
    assert.deepEqual(run.result, {
      status: 'Failed',
      message: "Could not publish 'Customer Portal' to preprod.example.com with password ***",
    });
    assert.deepEqual(run.errors, [run.result.message]);
    const stackLine = run.commands.find((c) => c.command === 'task.debug' && c.data.startsWith('Error: Could not'));
    assert.ok(stackLine?.data.includes('    at '), 'the stack is in a debug line');
    assert.ok(!run.result.message.includes(' at '), 'no stack in the result');
    assert.deepEqual(findSecretLeaks(run, [PASSWORD]), []);
    assert.equal(run.exitCode, 0);
  });

  it('ends SucceededWithIssues after warnings, each one a warning issue', async () => {
    const run = await runTaskEntry(fixtureTaskEntry, options('warn'));
    assert.deepEqual(run.result, { status: 'SucceededWithIssues', message: 'Exported 2 applications (2 warnings)' });
    assert.deepEqual(run.warnings.slice(0, 2), [
      'Application "Legacy Reports" has no tagged version; skipped',
      'A second thing to read',
    ]);
  });

  it('reads typed inputs the agent way and names the input that is wrong', async () => {
    const ok = await runTaskEntry(
      fixtureTaskEntry,
      options('inputs', {
        inputs: {
          sourceEnvironment: ' Acceptance ',
          applications: 'Customer Portal, Customer Core\nCustomer Portal',
          dryRun: 'True',
          timeoutMinutes: '15',
          dependencySource: 'Probe',
        },
      }),
    );
    assert.equal(ok.result?.status, 'Succeeded');
    assert.deepEqual(JSON.parse(ok.outputVariables['parsed'] ?? 'null'), {
      sourceEnvironment: 'Acceptance',
      bundleName: null,
      applications: ['Customer Portal', 'Customer Core'],
      dryRun: true,
      timeoutMinutes: 15,
      dependencySource: 'probe',
    });

    const bad = await runTaskEntry(
      fixtureTaskEntry,
      options('inputs', { inputs: { sourceEnvironment: 'Acceptance', timeoutMinutes: '0' } }),
    );
    assert.equal(bad.result?.status, 'Failed');
    assert.match(bad.result.message, /^Input 'timeoutMinutes' must be a whole number greater than 0, not '0'\.$/);

    const missing = await runTaskEntry(fixtureTaskEntry, options('inputs'));
    assert.match(missing.result?.message ?? '', /^Input 'sourceEnvironment' is required\.$/);
  });

  it('closes log groups on failure and uploads a scrubbed summary', async () => {
    const run = await runTaskEntry(fixtureTaskEntry, options('summary'));
    assert.deepEqual(run.result, { status: 'Failed', message: 'Phase failed in Customer Portal' });
    const formatting = run.stdout.split(/\r?\n/).filter((l) => l.startsWith('##[') || l === 'inside the group');
    assert.deepEqual(formatting, [
      '##[section]Publishing',
      '##[group]Customer Portal',
      'inside the group',
      '##[endgroup]',
      '##[group]Failing phase',
      '##[endgroup]',
    ]);
    assert.equal(run.summaries.length, 1);
    const summary = run.summaries[0];
    assert.ok(summary);
    assert.ok(summary.path.endsWith('Air gap deploy.md'));
    assert.ok(summary.content.includes('| Customer \\| Portal | published (***) |'));
    assert.deepEqual(findSecretLeaks(run, [PASSWORD]), []);
  });

  it('aborts the context signal on SIGTERM, lets the operation clean up, and exits non-zero', async function () {
    if (process.platform === 'win32') this.skip();
    const started = startTaskEntry(fixtureTaskEntry, options('wait-for-cancel'));
    let seen = '';
    await new Promise<void>((resolve) => {
      started.child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (seen.includes('waiting for cancellation')) resolve();
      });
    });
    started.child.kill('SIGTERM');
    const run = await started.done;
    assert.equal(run.exitCode, 1);
    assert.ok(run.stdout.includes('cleaned up after cancellation'));
    assert.equal(run.result?.status, 'Cancelled');
    assert.match(run.result.message, /FixtureTask was cancelled \(SIGTERM\)/);
  });
});
