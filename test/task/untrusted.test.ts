import * as assert from 'node:assert/strict';
import { parseVsoLine } from '../../tools/agent/vso';
import { guardCommands } from '../../shared/task/output';
import { markdownCell } from '../../shared/task/markdown';
import { hasCommandPrefix, neutraliseCommands, untrustedData, untrustedLine } from '../../shared/task/untrusted';

// What a development-network user can name an application, and what a package or the share can hold.
const HOSTILE = [
  'Payroll ##vso[task.setvariable variable=X]pwned',
  '##vso[task.prependpath]/tmp/attacker',
  'Payroll ##[group]fake fold',
  '###vso[task.complete result=Succeeded;]done',
  '##VSO[task.setvariable variable=Y]upper case',
  '####[section]four',
  'Payroll\n##vso[task.setvariable variable=Z]after a line break',
  'Payroll\r##[error]after a carriage return',
];

describe('untrusted text (shared/task/untrusted.ts)', () => {
  it('breaks every ##vso[ and ##[ so the agent finds no command, wherever it stands', () => {
    for (const text of HOSTILE) {
      const safe = untrustedLine(text);
      assert.equal(hasCommandPrefix(safe), false, safe);
      assert.equal(parseVsoLine(safe), undefined, safe);
      assert.ok(!safe.includes('##['), safe);
      assert.equal(safe.split(/\r\n|\r|\n/).length, 1, `one line: ${JSON.stringify(safe)}`);
    }
  });

  it('leaves the text readable: only a zero-width space between the two #', () => {
    assert.equal(neutraliseCommands('A ##vso[x]y'), 'A #\u200b#vso[x]y');
    assert.equal(neutraliseCommands('Customer Portal #1 [beta]'), 'Customer Portal #1 [beta]');
    assert.equal(untrustedLine('a\nb\u001b[31mred'), 'a\\nb\\u001b[31mred');
  });

  it('keeps line breaks in command data (task-lib escapes them) but breaks the commands', () => {
    const data = untrustedData('line one\n##vso[task.prependpath]/tmp/x');
    assert.equal(data.split('\n').length, 2);
    assert.equal(hasCommandPrefix(data), false);
  });

  it('markdown cells break commands too', () => {
    assert.equal(hasCommandPrefix(markdownCell('Payroll ##vso[task.setvariable variable=X]pwned')), false);
  });

  it('the output guard keeps a command that starts a stdout line and breaks any later in it', () => {
    const line = '##vso[task.debug]path /share/Payroll ##vso[task.prependpath]/tmp/x';
    const guarded = guardCommands(line + '\n', 'stdout');
    const command = parseVsoLine(guarded.trimEnd());
    assert.equal(command?.command, 'task.debug');
    assert.equal(hasCommandPrefix(command.data), false);
    assert.equal(guardCommands('##[group]Publish ##[endgroup]', 'stdout'), '##[group]Publish #\u200b#[endgroup]');
    assert.equal(hasCommandPrefix(guardCommands('##vso[task.complete result=Failed;]x', 'stderr')), false);
    assert.equal(guardCommands('##vso[task.setsecret]a##vso[b', 'stdout'), '##vso[task.setsecret]a##vso[b');
  });
});
