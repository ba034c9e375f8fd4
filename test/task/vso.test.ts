import * as assert from 'node:assert/strict';
import { findSecretLeaks } from '../../tools/agent/secretScan';
import type { TaskRun } from '../../tools/agent/taskRunner';
import { parseVsoCommands } from '../../tools/agent/vso';

function runWith(stdout: string, stderr = '', summaries: TaskRun['summaries'] = []): TaskRun {
  return {
    exitCode: 0,
    signal: null,
    timedOut: false,
    stdout,
    stderr,
    commands: parseVsoCommands(stdout),
    outputVariables: {},
    secrets: [],
    warnings: [],
    errors: [],
    summaries,
    progress: [],
    agentDirectory: '',
    processMs: 0,
  };
}

describe('parseVsoCommands', () => {
  it('reads area.event, properties and data with the agent escaping undone', () => {
    const [command] = parseVsoCommands(
      '##vso[task.setvariable variable=order;isOutput=true;issecret=false;]A%3BB%5DC%0D%0A%25%AZP25\n',
    );
    assert.ok(command);
    assert.equal(command.command, 'task.setvariable');
    assert.deepEqual(command.properties, { variable: 'order', isOutput: 'true', issecret: 'false' });
    assert.equal(command.data, 'A;B]C\r\n%%');
  });

  it('unescapes property values and finds commands anywhere in a line, as the agent does', () => {
    const commands = parseVsoCommands(
      'plain line\r\nprefix ##vso[task.issue type=warning;source=a%3Bb%5D]careful\n##vso[broken no bracket\n##vso[task.complete result=Failed;]x',
    );
    assert.deepEqual(
      commands.map((c) => [c.command, c.properties, c.data]),
      [
        ['task.issue', { type: 'warning', source: 'a;b]' }, 'careful'],
        ['task.complete', { result: 'Failed' }, 'x'],
      ],
    );
  });

  it('does not double-unescape an escaped percent sign', () => {
    assert.equal(parseVsoCommands('##vso[task.debug]%AZP250A')[0]?.data, '%0A');
  });
});

describe('findSecretLeaks', () => {
  const pem =
    '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGq0Wc9n1Z5P1tHk3o8Zr0Yk\n2b4mJ0vXcT1QeYl8sA9B\n-----END PRIVATE KEY-----\n';

  it('ignores the task.setsecret registrations and the PEM markers', () => {
    const run = runWith('##vso[task.setsecret]hunter2-secret\n-----BEGIN PRIVATE KEY-----\nok\n');
    assert.deepEqual(findSecretLeaks(run, ['hunter2-secret', pem]), []);
  });

  it('finds a secret, a single line of a PEM body and an escaped form, without quoting them', () => {
    const run = runWith(
      'token is tok-123456\n##vso[task.debug]key line 2b4mJ0vXcT1QeYl8sA9B\n',
      '##vso[task.debug]pa%AZP25ss;word\n',
      [{ path: 'Summary.md', content: '| x | tok-123456 |' }],
    );
    const leaks = findSecretLeaks(run, ['tok-123456', pem, 'pa%ss;word']);
    assert.deepEqual(leaks, [
      'secret #1 in stdout line 1',
      'line 2 of secret #2 in stdout line 2 (##vso[task.debug])',
      'secret #3 in stderr line 1 (##vso[task.debug])',
      'secret #1 in summary Summary.md line 1',
    ]);
    for (const leak of leaks) assert.ok(!leak.includes('tok-123456') && !leak.includes('2b4mJ0'));
  });

  it('refuses secrets too short to search for meaningfully', () => {
    assert.throws(() => findSecretLeaks(runWith(''), ['abc']), /too short/);
  });
});
